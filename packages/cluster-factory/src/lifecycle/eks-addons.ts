import table from '../../reference/eks/addon-versions.json' with { type: 'json' };
import type { NetworkingDecision } from '../networking/decision.js';
import { compareKubernetesVersions } from './eks-calendar.js';
import { addonConfigurationJson, addonConfigurationProblems } from './eks-addon-configuration.js';
import { valuePath } from '../kubernetes/helm-value-overrides.js';

/** The EKS managed add-ons this project installs. */
export type EksAddonName = 'coredns' | 'kube-proxy' | 'vpc-cni' | 'eks-pod-identity-agent' | 'aws-ebs-csi-driver';

/**
 * EKS add-on versions pinned per Kubernetes minor (reference/eks/addon-versions.json, with
 * each add-on's source and the command that refreshes the table).
 */
export const EKS_ADDON_VERSIONS: {
  readonly retrieved: string;
  readonly refresh: string;
  readonly addons: Readonly<Record<EksAddonName, { readonly source: string; readonly versions: Readonly<Record<string, string>> }>>;
} = table;

/** An add-on of one cluster and the version it installs. */
export interface EksAddonPlan {
  readonly name: EksAddonName;
  readonly version: string;
  /**
   * The add-on's configuration_values as JSON with sorted keys, checked against its pinned
   * configuration schema (eks-addon-configuration.ts). @default none: EKS's defaults
   */
  readonly configurationValues?: string;
}

/** The pinned version of an add-on for a Kubernetes minor, if the table has one. */
export function eksAddonVersion(name: EksAddonName, kubernetesVersion: string): string | undefined {
  return EKS_ADDON_VERSIONS.addons[name].versions[kubernetesVersion];
}

/**
 * Add-ons that run without nodes (DaemonSets), installed with the control plane. Cilium
 * replaces vpc-cni, and kube-proxy too when its kube-proxy replacement is on.
 */
export function controlPlaneAddonNames(networking: Pick<NetworkingDecision, 'ciliumEnabled' | 'kubeProxyReplacement'>): EksAddonName[] {
  if (!networking.ciliumEnabled) return ['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy'];
  return networking.kubeProxyReplacement ? ['eks-pod-identity-agent'] : ['eks-pod-identity-agent', 'kube-proxy'];
}

/** Add-ons whose Deployments need nodes: CoreDNS, and the EBS CSI driver when a volume needs it. */
export function nodeAddonNames(options: { readonly ebsCsiDriver: boolean }): EksAddonName[] {
  return options.ebsCsiDriver ? ['coredns', 'aws-ebs-csi-driver'] : ['coredns'];
}

/** Configuration values per add-on, as a config gives them (eks_addons.<add-on>.configuration_values). */
export type EksAddonConfigurations = Readonly<Partial<Record<EksAddonName, Readonly<Record<string, unknown>>>>>;

/**
 * Add-ons with their versions for a Kubernetes minor, and the configuration values given for
 * them (values for add-ons not in `names` are not read); throws naming the add-ons the table
 * lacks, and values that the add-on's pinned configuration schema refuses or that have no schema.
 */
export function pinnedAddons(names: readonly EksAddonName[], kubernetesVersion: string, configurations: EksAddonConfigurations = {}): EksAddonPlan[] {
  const missing = names.filter((name) => eksAddonVersion(name, kubernetesVersion) === undefined);
  if (missing.length > 0) throw new Error(`no pinned EKS add-on version for Kubernetes ${kubernetesVersion}: ${missing.join(', ')} (reference/eks/addon-versions.json)`);
  return names.map((name) => {
    const version = eksAddonVersion(name, kubernetesVersion)!;
    const values = configurations[name];
    if (!values) return { name, version };
    const problems = addonConfigurationProblems(name, version, values, kubernetesVersion);
    if (problems.length > 0) throw new Error(`${name} configuration_values:\n  ${problems.map((problem) => `${valuePath(problem.path) || '(root)'}: ${problem.message}`).join('\n  ')}`);
    return { name, version, configurationValues: addonConfigurationJson(values) };
  });
}

/** `v1.14.3-eksbuild.3` against `v1.14.2-eksbuild.11`, number by number. */
export function compareAddonVersions(a: string, b: string): number {
  const parts = (version: string) => version.replace(/^v/, '').split(/[.-]|eksbuild\./).filter(Boolean).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(x.length, y.length); index += 1) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Where an add-on's pin goes down from one Kubernetes minor to the next, which EKS refuses in an
 * upgrade: `coredns 1.35 v1.14.3-eksbuild.3 > 1.36 v1.14.2-eksbuild.1`.
 */
export function addonDowngrades(addon: string, versions: Readonly<Record<string, string>>): string[] {
  const minors = Object.keys(versions).sort(compareKubernetesVersions);
  return minors.slice(1).flatMap((minor, index) => {
    const previous = minors[index]!;
    return compareAddonVersions(versions[previous]!, versions[minor]!) > 0 ? [`${addon} ${previous} ${versions[previous]} > ${minor} ${versions[minor]}`] : [];
  });
}
