import calendar from '../../reference/eks/kubernetes-versions.json' with { type: 'json' };

/**
 * The EKS Kubernetes release calendar: when each minor version was released on EKS and when
 * its standard and extended support end (reference/eks/kubernetes-versions.json, with its
 * source, retrieval date and the command that refreshes it). Synth refuses a version EKS does
 * not offer on the day and warns before and during extended support; the synthesized JSON
 * never depends on the day, only the messages and the refusal do.
 */
export interface EksKubernetesRelease {
  /** The minor version, e.g. `1.35`. */
  readonly version: string;
  /** First day EKS offers it (UTC, YYYY-MM-DD). */
  readonly released: string;
  /** First day of extended support, billed from the start of that day (UTC). */
  readonly endOfStandardSupport: string;
  /** First day EKS no longer offers it: no new clusters, existing control planes are upgraded by AWS. */
  readonly endOfExtendedSupport: string;
  /** How a date was obtained when it is not read off the calendar itself. */
  readonly note?: string;
}

export const EKS_CALENDAR: {
  readonly source: string;
  readonly retrieved: string;
  readonly refresh: string;
  readonly versions: readonly EksKubernetesRelease[];
} = calendar;

/**
 * EKS control-plane list prices per cluster-hour, the same in every commercial region
 * (https://aws.amazon.com/eks/pricing/, "Amazon EKS pricing", read 2026-12-05).
 */
export const EKS_CONTROL_PLANE_PRICES = { standardHour: 0.1, extendedHour: 0.6, source: 'https://aws.amazon.com/eks/pricing/ (read 2026-12-05)' } as const;

/** Hours AWS prices a month at (730: 24 x 365 / 12). */
export const HOURS_PER_MONTH = 730;

/** What a cluster of this version costs more per month in extended support than in standard support. */
export const EXTENDED_SUPPORT_EXTRA_PER_MONTH = (EKS_CONTROL_PLANE_PRICES.extendedHour - EKS_CONTROL_PLANE_PRICES.standardHour) * HOURS_PER_MONTH;

/** Where a version stands on a given day. */
export type SupportPhase = 'unreleased' | 'standard' | 'extended' | 'ended';

const KUBERNETES_MINOR = /^1\.(\d+)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The minor number of `1.35` (35), or undefined for anything else. */
export function kubernetesMinor(version: string): number | undefined {
  const match = KUBERNETES_MINOR.exec(version);
  return match ? Number(match[1]) : undefined;
}

/** `1.35` -> `1.36` (the one version EKS upgrades a control plane to). */
export function nextKubernetesVersion(version: string): string | undefined {
  const minor = kubernetesMinor(version);
  return minor === undefined ? undefined : `1.${minor + 1}`;
}

/** Compares two `1.N` versions by minor. */
export function compareKubernetesVersions(a: string, b: string): number {
  return (kubernetesMinor(a) ?? Number.NaN) - (kubernetesMinor(b) ?? Number.NaN);
}

/** The calendar entry of a version, if the calendar knows it. */
export function eksRelease(version: string): EksKubernetesRelease | undefined {
  return EKS_CALENDAR.versions.find((release) => release.version === version);
}

/** Every version the calendar knows, oldest first. */
export function calendarVersions(): string[] {
  return [...EKS_CALENDAR.versions].sort((a, b) => compareKubernetesVersions(a.version, b.version)).map((release) => release.version);
}

/** Where a release stands on `day` (YYYY-MM-DD, UTC). */
export function supportPhase(release: EksKubernetesRelease, day: string): SupportPhase {
  if (day < release.released) return 'unreleased';
  if (day < release.endOfStandardSupport) return 'standard';
  if (day < release.endOfExtendedSupport) return 'extended';
  return 'ended';
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Environment variable that fixes "today" for synth (tests, reproducing a past run): YYYY-MM-DD. */
export const TODAY_OVERRIDE_VARIABLE = 'CLUSTER_FACTORY_TODAY';

/**
 * The calendar day (UTC) synth judges support on: CLUSTER_FACTORY_TODAY when set, the system
 * clock otherwise. Throws on a malformed override rather than guessing.
 */
export function calendarToday(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const override = env[TODAY_OVERRIDE_VARIABLE]?.trim();
  if (override) {
    if (!ISO_DATE.test(override) || Number.isNaN(Date.parse(`${override}T00:00:00Z`)) || new Date(`${override}T00:00:00Z`).toISOString().slice(0, 10) !== override) {
      throw new Error(`${TODAY_OVERRIDE_VARIABLE}=${JSON.stringify(override)} is not a date (expected YYYY-MM-DD)`);
    }
    return override;
  }
  return now.toISOString().slice(0, 10);
}
