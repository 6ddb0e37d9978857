import type { CiliumValuesInput } from './values.js';
import { ciliumHostNetworkPods, type CiliumPodCapacityOptions } from '../../capacity/max-pods.js';
import type { FeatureCorePlanContext } from '../feature.js';

/** What Cilium's plan step decided: its chart's values and the pods its datapath gives each node. */
export interface CiliumPlan {
  /** Helm values input; the API server host and SPIRE's StorageClass come from the stacks. */
  readonly values: Omit<CiliumValuesInput, 'apiServerHost' | 'spireStorageClass'>;
  /** How Cilium allocates pods on this cluster's nodes (max pods, IP budget). */
  readonly podCapacity: CiliumPodCapacityOptions;
}

/** The fields of a config Cilium's plan step reads. */
export interface CiliumPlanConfig {
  readonly vpc_cidr: string;
  readonly cilium: {
    readonly pod_cidr: string;
    readonly prefix_delegation: boolean;
    readonly hubble_relay: boolean;
    readonly hubble_ui: boolean;
    readonly l7_proxy: boolean;
    readonly gateway_api: boolean;
    readonly bgp_control_plane: boolean;
    readonly wireguard: boolean;
    readonly mutual_auth: boolean;
  };
}

/** Cilium's plan, present exactly when the networking decision makes Cilium the CNI. */
export function planCilium(config: CiliumPlanConfig, { clusterName, networking, clusterMesh }: FeatureCorePlanContext): CiliumPlan | undefined {
  if (networking.cni !== 'cilium') return undefined;
  const c = config.cilium;
  return {
    values: {
      clusterName,
      mode: networking.ciliumMode,
      kubeProxyReplacement: networking.kubeProxyReplacement,
      vpcCidr: config.vpc_cidr,
      podCidr: c.pod_cidr,
      prefixDelegation: c.prefix_delegation,
      hubble: networking.hubble,
      hubbleRelay: c.hubble_relay,
      hubbleUi: c.hubble_ui,
      l7Proxy: c.l7_proxy,
      gatewayApi: c.gateway_api,
      bgpControlPlane: c.bgp_control_plane,
      wireguard: c.wireguard,
      mutualAuth: c.mutual_auth,
      clusterMesh: clusterMesh?.membership,
    },
    podCapacity: {
      mode: networking.ciliumMode,
      prefixDelegation: c.prefix_delegation,
      hostNetworkPods: ciliumHostNetworkPods({ l7Proxy: c.l7_proxy, kubeProxyReplacement: networking.kubeProxyReplacement }),
    },
  };
}
