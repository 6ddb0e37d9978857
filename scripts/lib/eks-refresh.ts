/**
 * Turning what the AWS CLI says about EKS versions into the committed tables
 * (packages/cluster-factory/reference/eks/): the calendar from `aws eks describe-cluster-versions`,
 * the add-on pins from `aws eks describe-addon-versions`. Pure functions; the refresh scripts run
 * the CLI and write the files.
 */
import { compareKubernetesVersions, type EksAddonName, type EksKubernetesRelease } from '@cilium-eks/cluster-factory/lifecycle';

/** `aws eks describe-cluster-versions --output json` (the fields used). */
export interface DescribeClusterVersions {
  readonly clusterVersions: ReadonlyArray<{
    readonly clusterVersion: string;
    readonly clusterType?: string;
    readonly releaseDate?: string;
    readonly endOfStandardSupportDate?: string;
    readonly endOfExtendedSupportDate?: string;
  }>;
}

/** `aws eks describe-addon-versions --output json` (the fields used). */
export interface DescribeAddonVersions {
  readonly addons: ReadonlyArray<{
    readonly addonName: string;
    readonly addonVersions: ReadonlyArray<{
      readonly addonVersion: string;
      readonly compatibilities: ReadonlyArray<{ readonly clusterVersion: string; readonly defaultVersion: boolean }>;
    }>;
  }>;
}

/** A timestamp as the AWS CLI prints it (`2024-09-25T17:00:00-07:00`) as the UTC day the calendar uses (`2024-09-26`). */
export function utcDay(timestamp: string): string {
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) throw new Error(`not a timestamp: ${JSON.stringify(timestamp)}`);
  return new Date(time).toISOString().slice(0, 10);
}

/** The calendar's entries from describe-cluster-versions, oldest first; EKS (not EKS Anywhere) versions with all three dates. */
export function calendarFromDescribe(output: DescribeClusterVersions): EksKubernetesRelease[] {
  return output.clusterVersions
    .filter((entry) => (entry.clusterType ?? 'eks') === 'eks')
    .map((entry) => {
      const missing = (['releaseDate', 'endOfStandardSupportDate', 'endOfExtendedSupportDate'] as const).filter((field) => !entry[field]);
      if (missing.length > 0) throw new Error(`${entry.clusterVersion}: describe-cluster-versions gives no ${missing.join(', ')}`);
      return {
        version: entry.clusterVersion,
        released: utcDay(entry.releaseDate!),
        endOfStandardSupport: utcDay(entry.endOfStandardSupportDate!),
        endOfExtendedSupport: utcDay(entry.endOfExtendedSupportDate!),
      };
    })
    .sort((a, b) => compareKubernetesVersions(a.version, b.version));
}

/** An add-on's default version for a Kubernetes minor (what `aws eks create-addon` installs without one). */
export function defaultAddonVersion(output: DescribeAddonVersions, addon: EksAddonName, kubernetesVersion: string): string | undefined {
  const entry = output.addons.find((candidate) => candidate.addonName === addon);
  return entry?.addonVersions.find((version) => version.compatibilities.some((compatibility) => compatibility.clusterVersion === kubernetesVersion && compatibility.defaultVersion))?.addonVersion;
}
