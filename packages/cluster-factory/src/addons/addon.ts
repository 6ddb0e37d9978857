import type { Construct } from 'constructs';
import type { NetworkingDecision } from '../networking/decision.js';

/**
 * What an add-on may know about the cluster it is installed into. Values are plain strings
 * or cdktf tokens (remote-state reads in Kubernetes-side stacks).
 */
export interface ClusterInfo {
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  readonly environment: string;
  readonly networking: NetworkingDecision;
  /** The Pod Identity roles of the platform's controllers, for the GitOps bridge. */
  readonly identities: ControllerIdentities;
}

/** IAM role ARNs of the controllers the platform installs (tokens from the stacks that own them). */
export interface ControllerIdentities {
  /** Cilium operator (ENI mode). */
  readonly ciliumOperator?: string;
  /** Karpenter controller. */
  readonly karpenter?: string;
}

/** Admission webhooks (or aggregated APIs) an add-on serves: the EKS control plane calls them. */
export interface ServedWebhooks {
  /** What is served, for messages (webhook configuration or APIService names). */
  readonly names: readonly string[];
  /** Served from the node network (`hostNetwork: true`): reachable by the control plane in every Cilium mode. */
  readonly hostNetwork: boolean;
}

/**
 * The contract every Kubernetes-side add-on implements (after cdk-eks-blueprints): a name,
 * explicit ordering and declared conflicts, checked at synth time rather than at apply.
 */
export interface PlatformAddon {
  /** Unique name, e.g. `cilium`, `karpenter`, `argocd`. */
  readonly name: string;
  /** Add-ons that must be installed first (their resources become depends_on). */
  readonly dependsOn?: readonly string[];
  /** Add-ons that cannot be installed together with this one. */
  readonly conflictsWith?: readonly string[];
  /**
   * The webhooks the add-on serves on this cluster, if any. In Cilium overlay mode the control
   * plane cannot reach pod addresses: synth warns about webhooks served from pods. @default none
   */
  servedWebhooks?(cluster: ClusterInfo): ServedWebhooks | undefined;
  /** Creates the add-on's resources in `scope`; returns the constructs others may depend on. */
  deploy(scope: Construct, cluster: ClusterInfo): Construct[];
}

/**
 * Orders add-ons so each comes after its dependencies; refuses unknown dependencies,
 * declared conflicts and cycles with a message naming the add-ons.
 */
export function orderAddons(addons: readonly PlatformAddon[]): PlatformAddon[] {
  const byName = new Map<string, PlatformAddon>();
  for (const addon of addons) {
    if (byName.has(addon.name)) throw new Error(`add-on "${addon.name}" is listed twice`);
    byName.set(addon.name, addon);
  }
  for (const addon of addons) {
    for (const other of addon.conflictsWith ?? []) {
      if (byName.has(other)) throw new Error(`add-on "${addon.name}" conflicts with "${other}": enable only one of them`);
    }
    for (const dependency of addon.dependsOn ?? []) {
      if (!byName.has(dependency)) throw new Error(`add-on "${addon.name}" needs "${dependency}", which is not enabled`);
    }
  }
  const ordered: PlatformAddon[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (addon: PlatformAddon, path: string[]) => {
    if (state.get(addon.name) === 'done') return;
    if (state.get(addon.name) === 'visiting') throw new Error(`add-on dependency cycle: ${[...path, addon.name].join(' -> ')}`);
    state.set(addon.name, 'visiting');
    for (const dependency of addon.dependsOn ?? []) visit(byName.get(dependency)!, [...path, addon.name]);
    state.set(addon.name, 'done');
    ordered.push(addon);
  };
  for (const addon of addons) visit(addon, []);
  return ordered;
}
