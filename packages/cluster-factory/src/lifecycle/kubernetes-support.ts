import {
  EKS_CALENDAR,
  EKS_CONTROL_PLANE_PRICES,
  EXTENDED_SUPPORT_EXTRA_PER_MONTH,
  calendarVersions,
  daysBetween,
  eksRelease,
  nextKubernetesVersion,
  supportPhase,
  type EksKubernetesRelease,
} from './eks-calendar.js';

/** EKS upgrade policy (`upgrade_policy.support_type` of aws_eks_cluster). */
export type SupportType = 'STANDARD' | 'EXTENDED';

/** What AWS does when standard support ends, per policy (EKS User Guide, "View current cluster upgrade policy"). */
export const SUPPORT_TYPES: Readonly<Record<SupportType, string>> = {
  STANDARD: 'EKS upgrades the control plane to the next version itself when standard support ends (node groups and add-ons stay behind)',
  EXTENDED: `the cluster stays on its version in extended support, at $${EKS_CONTROL_PLANE_PRICES.extendedHour.toFixed(2)} instead of $${EKS_CONTROL_PLANE_PRICES.standardHour.toFixed(2)} per cluster-hour`,
};

/** The support type a config asks EKS for: EXTENDED, AWS's default, when it states none. */
export function supportTypeOf(config: { readonly upgrade_policy: { readonly support_type?: SupportType } }): SupportType {
  return config.upgrade_policy.support_type ?? 'EXTENDED';
}

/** Default warning horizon before standard support ends (`upgrade_policy.warn_days_before_standard_support_ends`). */
export const DEFAULT_SUPPORT_WARNING_DAYS = 90;

export interface KubernetesSupportInput {
  readonly version: string;
  readonly supportType: SupportType;
  /** Warn when standard support ends within this many days. */
  readonly warnDays: number;
}

/** A problem with the config's Kubernetes version on a given day; `field` is where it belongs in the config. */
export interface SupportFinding {
  readonly field: 'kubernetes_version' | 'upgrade_policy.support_type';
  readonly message: string;
}

export interface KubernetesSupport {
  /** Refused: EKS does not offer the version today, or the policy cannot hold it. */
  readonly refusals: readonly SupportFinding[];
  /** Printed by synth: extended support, or its end is near. */
  readonly warnings: readonly string[];
}

const usd = (value: number) => `$${value.toFixed(2)}`;
const extraCost = `the control plane costs ${usd(EKS_CONTROL_PLANE_PRICES.extendedHour)} instead of ${usd(EKS_CONTROL_PLANE_PRICES.standardHour)} per cluster-hour (${usd(EXTENDED_SUPPORT_EXTRA_PER_MONTH)} more per cluster per month)`;

/** The versions EKS offers on a day, as a range for messages: `1.32 to 1.36`. */
export function offeredVersions(day: string): string[] {
  return calendarVersions().filter((version) => {
    const phase = supportPhase(eksRelease(version)!, day);
    return phase === 'standard' || phase === 'extended';
  });
}

function offeredRange(day: string): string {
  const offered = offeredVersions(day);
  return offered.length > 0 ? `${offered[0]} to ${offered.at(-1)}` : 'none in the calendar';
}

/** The next version and how long it keeps standard support, when the calendar knows it. */
function upgradeHint(release: EksKubernetesRelease, day: string): string {
  const next = nextKubernetesVersion(release.version);
  const nextRelease = next ? eksRelease(next) : undefined;
  if (!next || !nextRelease || supportPhase(nextRelease, day) === 'unreleased') return 'no newer version is offered yet';
  return `upgrade to ${next} (standard support until ${nextRelease.endOfStandardSupport})`;
}

/**
 * Where a cluster's Kubernetes version stands on `day` (YYYY-MM-DD, UTC) against the EKS
 * calendar. The version must be one the calendar knows (the config schema checks that).
 */
export function kubernetesSupport(input: KubernetesSupportInput, day: string): KubernetesSupport {
  const release = eksRelease(input.version);
  if (!release) {
    return { refusals: [{ field: 'kubernetes_version', message: `${JSON.stringify(input.version)} is not in the EKS calendar (${calendarVersions().join(', ')})` }], warnings: [] };
  }
  const phase = supportPhase(release, day);
  const refusals: SupportFinding[] = [];
  const warnings: string[] = [];
  if (phase === 'unreleased') {
    refusals.push({ field: 'kubernetes_version', message: `${JSON.stringify(input.version)} is offered by EKS from ${release.released}, not on ${day} (offered: ${offeredRange(day)})` });
  } else if (phase === 'ended') {
    refusals.push({
      field: 'kubernetes_version',
      message: `${JSON.stringify(input.version)} left EKS extended support on ${release.endOfExtendedSupport}: EKS creates no cluster on it and upgrades existing control planes itself (offered on ${day}: ${offeredRange(day)})`,
    });
  } else if (phase === 'extended') {
    if (input.supportType === 'STANDARD') {
      refusals.push({
        field: 'upgrade_policy.support_type',
        message: `STANDARD cannot hold ${input.version}, which left standard support on ${release.endOfStandardSupport} (EKS allows STANDARD only for versions in standard support): ${upgradeHint(release, day)}, or set EXTENDED`,
      });
    } else {
      warnings.push(
        `kubernetes_version ${input.version} is in EKS extended support since ${release.endOfStandardSupport} (until ${release.endOfExtendedSupport}): ${extraCost}; ${upgradeHint(release, day)}`,
      );
    }
  } else {
    const days = daysBetween(day, release.endOfStandardSupport);
    if (days <= input.warnDays) {
      const then =
        input.supportType === 'STANDARD'
          ? `then EKS upgrades the control plane to ${nextKubernetesVersion(input.version)} itself (upgrade_policy.support_type STANDARD), leaving node groups and add-ons behind`
          : `then ${extraCost} (upgrade_policy.support_type EXTENDED)`;
      warnings.push(`kubernetes_version ${input.version} leaves EKS standard support on ${release.endOfStandardSupport}, in ${days} days: ${then}; ${upgradeHint(release, day)}`);
    }
  }
  return { refusals, warnings };
}

/** The calendar's provenance, for messages and docs. */
export function calendarProvenance(): string {
  return `${EKS_CALENDAR.source}; retrieved ${EKS_CALENDAR.retrieved}`;
}
