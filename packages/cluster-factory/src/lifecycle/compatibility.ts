import { CILIUM_COMPATIBILITY } from '../features/cilium/compatibility.js';
import { GATEWAY_API_COMPATIBILITY } from '../features/gateway-api/compatibility.js';
import { ARGOCD_COMPATIBILITY } from '../features/argocd/compatibility.js';
import { AWS_LOAD_BALANCER_CONTROLLER_COMPATIBILITY } from '../features/load-balancer-controller/compatibility.js';
import { AL2023_AMI_COMPATIBILITY, KARPENTER_COMPATIBILITY } from '../features/karpenter/compatibility.js';
import { compareKubernetesVersions } from './eks-calendar.js';

/** Kubernetes minors, inclusive; no `max`: upstream states no upper bound. */
export interface KubernetesRange {
  readonly min: string;
  readonly max?: string;
}

/** What one release series of a component says about Kubernetes versions. */
export interface ComponentRelease {
  /** `1.14` covers every 1.14.x; an AMI release names itself (`v20260903`). */
  readonly series: string;
  /** Outside it the component refuses to run or is declared unsupported: synth refuses. */
  readonly supported: KubernetesRange;
  /**
   * The versions upstream tests it on. Outside it (but supported) synth warns, and refuses in a
   * protected environment. @default the supported range
   */
  readonly tested?: KubernetesRange;
  /** Where the ranges come from (repository, path, tag or page, and the date read). */
  readonly source: string;
}

export interface ComponentCompatibility {
  /** As messages name it: `Karpenter`, `Cilium`. */
  readonly component: string;
  /** The version this project pins (src/versions.ts). */
  readonly pinned: string;
  /** The pinned series and the others upstream documents, oldest first. */
  readonly releases: readonly ComponentRelease[];
}

/** `1.14.1` -> `1.14`; `v1.4.1` -> `1.4`; `v3.4.2` -> `3.4`; an AMI release stays whole. */
export function seriesOf(version: string): string {
  const match = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(version);
  return match ? `${match[1]}.${match[2]}` : version;
}

// The built-in features' own entries live in their folders (src/features/<name>/compatibility.ts).
export { AL2023_AMI_COMPATIBILITY, ARGOCD_COMPATIBILITY, CILIUM_COMPATIBILITY, AWS_LOAD_BALANCER_CONTROLLER_COMPATIBILITY, GATEWAY_API_COMPATIBILITY, KARPENTER_COMPATIBILITY };

/** Every pinned component whose Kubernetes range synth checks, for docs and tests. */
export const COMPATIBILITY: readonly ComponentCompatibility[] = [
  CILIUM_COMPATIBILITY,
  GATEWAY_API_COMPATIBILITY,
  KARPENTER_COMPATIBILITY,
  ARGOCD_COMPATIBILITY,
  AL2023_AMI_COMPATIBILITY,
  AWS_LOAD_BALANCER_CONTROLLER_COMPATIBILITY,
];

const within = (version: string, range: KubernetesRange) =>
  compareKubernetesVersions(version, range.min) >= 0 && (range.max === undefined || compareKubernetesVersions(version, range.max) <= 0);

/** `1.26 to 1.35`, or `1.30 and later`. */
export function formatRange(range: KubernetesRange): string {
  return range.max === undefined ? `${range.min} and later` : `${range.min} to ${range.max}`;
}

/** The releases of a component whose range holds a version (`Karpenter 1.13 and 1.14`). */
function alternatives(compatibility: ComponentCompatibility, version: string, range: (release: ComponentRelease) => KubernetesRange): string {
  const series = compatibility.releases.filter((release) => within(version, range(release))).map((release) => release.series);
  if (series.length === 0) return `no ${compatibility.component} release in the compatibility table covers ${version}`;
  const names = series.length === 1 ? series[0] : `${series.slice(0, -1).join(', ')} and ${series.at(-1)}`;
  return `${compatibility.component} ${names} ${series.length === 1 ? 'covers' : 'cover'} ${version}`;
}

export interface CompatibilityFindings {
  /** Outside the supported range: refused. */
  readonly unsupported: readonly string[];
  /** Supported but outside the tested range: a warning, refused in a protected environment. */
  readonly untested: readonly string[];
}

/** The pinned release of a component; a pin without a row in its table is a defect of this project. */
export function pinnedRelease(compatibility: ComponentCompatibility): ComponentRelease {
  const release = compatibility.releases.find((entry) => entry.series === seriesOf(compatibility.pinned));
  if (!release) throw new Error(`${compatibility.component} ${compatibility.pinned} has no row in the compatibility table (src/lifecycle/compatibility.ts)`);
  return release;
}

/** What the pinned components in use say about a Kubernetes version. */
export function compatibilityFindings(components: readonly ComponentCompatibility[], version: string): CompatibilityFindings {
  const unsupported: string[] = [];
  const untested: string[] = [];
  for (const compatibility of components) {
    const release = pinnedRelease(compatibility);
    const name = `${compatibility.component} ${compatibility.pinned}`;
    if (!within(version, release.supported)) {
      unsupported.push(`${name} supports Kubernetes ${formatRange(release.supported)}, not ${version} (${alternatives(compatibility, version, (entry) => entry.supported)}; sources: docs/UPGRADES.md)`);
    } else if (release.tested && !within(version, release.tested)) {
      untested.push(`${name} is tested on Kubernetes ${formatRange(release.tested)}, not ${version} (${alternatives(compatibility, version, (entry) => entry.tested ?? entry.supported)}; sources: docs/UPGRADES.md)`);
    }
  }
  return { unsupported, untested };
}
