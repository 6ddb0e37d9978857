import { instanceTypeData, instanceVcpus } from './instance-types.js';
import { CILIUM_ENI_FIRST_INTERFACE_INDEX } from '../features/cilium/eni.js';

/** Pods per node in overlay mode: pods do not use VPC addresses (the kubelet default). */
export const OVERLAY_MAX_PODS = 110;
/** Addresses a /28 prefix gives one ENI slot with prefix delegation. */
export const ADDRESSES_PER_PREFIX = 16;
/**
 * Pool addresses Cilium takes for itself on every node in ENI mode: the router address of
 * `cilium_host` and the health endpoint's (chart `endpointHealthChecking.enabled`, default true,
 * not overridden). Both come from the same ENI addresses as pods.
 */
export const CILIUM_NODE_ADDRESSES = 2;

export interface CiliumPodCapacityOptions {
  readonly mode: 'eni' | 'overlay';
  readonly prefixDelegation: boolean;
  /** The first ENI Cilium allocates from. @default CILIUM_ENI_FIRST_INTERFACE_INDEX */
  readonly firstInterfaceIndex?: number;
  /** Pods on the host network: they count against max pods but take no address. */
  readonly hostNetworkPods: number;
}

function limits(instanceType: string): readonly [number, number] {
  const data = instanceTypeData(instanceType);
  return [data.maxEnis, data.ipv4PerEni];
}

/** EKS guidance: at most 110 pods below 30 vCPUs, 250 above. */
export function maxPodsCap(instanceType: string): number {
  return instanceVcpus(instanceType) < 30 ? 110 : 250;
}

/**
 * The AWS VPC CNI formula, as in amazon-eks-ami's eni-max-pods.txt:
 * ENIs x (IPv4 per ENI - 1) + 2 (aws-node and kube-proxy on the host network).
 */
export function vpcCniMaxPods(instanceType: string): number {
  const [enis, ips] = limits(instanceType);
  return enis * (ips - 1) + 2;
}

/**
 * Pods per node with the Cilium values this project emits.
 *
 * ENI mode: Cilium assigns addresses from ENIs `firstInterfaceIndex`..max, every address
 * but each ENI's primary one: (ENIs - firstInterfaceIndex) x (IPv4 per ENI - 1) slots; with
 * prefix delegation each slot is a /28 (x16). Cilium keeps two of them for its router and
 * health endpoint (CILIUM_NODE_ADDRESSES); host-network pods take none and come on top.
 * m5.large: 3 x (10 - 1) = 27 - 2 = 25 pod addresses + 3 host-network pods = 28.
 * The result is capped by the EKS guidance (110 / 250). Overlay mode: 110.
 */
export function ciliumMaxPods(instanceType: string, options: CiliumPodCapacityOptions, capped = true): number {
  if (options.mode === 'overlay') return OVERLAY_MAX_PODS;
  const [enis, ips] = limits(instanceType);
  const first = options.firstInterfaceIndex ?? CILIUM_ENI_FIRST_INTERFACE_INDEX;
  const slots = Math.max(enis - first, 0) * (ips - 1);
  const addresses = options.prefixDelegation ? slots * ADDRESSES_PER_PREFIX : slots;
  const pods = Math.max(addresses - CILIUM_NODE_ADDRESSES, 0) + options.hostNetworkPods;
  return capped ? Math.min(pods, maxPodsCap(instanceType)) : pods;
}

/**
 * Host-network pods of a Cilium node: the agent and the Pod Identity agent, the Envoy
 * DaemonSet with the L7 proxy, and kube-proxy when Cilium does not replace it.
 */
export function ciliumHostNetworkPods(options: { l7Proxy: boolean; kubeProxyReplacement: boolean }): number {
  return 2 + (options.l7Proxy ? 1 : 0) + (options.kubeProxyReplacement ? 0 : 1);
}
