import { parseIpv4Cidr } from '../lib/cidr.js';
import { ADDRESSES_PER_PREFIX, CILIUM_NODE_ADDRESSES } from './max-pods.js';
import { instanceTypeData } from './instance-types.js';
import { CLUSTER_POOL_MASK_SIZE } from '../features/cilium/values.js';

/**
 * The pod IP budget: will the private subnets (ENI mode) or the pod CIDR (overlay mode) hold
 * every pod at maximum scale?
 *
 * Model, per zone (nodes spread evenly over the zones: ceil(nodes / zones) per zone):
 * - AWS reserves 5 addresses of every subnet (network, router, DNS, future use, broadcast).
 * - ENI mode: a node at max pods takes one address per non-host-network pod, two for Cilium's
 *   router and health endpoints (CILIUM_NODE_ADDRESSES), plus the primary
 *   address of every ENI it needs (ceil(pod addresses / (IPv4 per ENI - 1)), at least one:
 *   the node's own address). Secondary addresses can come from anywhere: no fragmentation.
 * - Prefix delegation: pod addresses come in /28 prefixes (ceil(pod addresses / 16)), each a
 *   free, aligned block of 16. Only whole aligned /28 blocks count as capacity: the first and
 *   the last block of the subnet hold AWS-reserved addresses, and every ENI primary address
 *   (node addresses included) is assumed to land in a block of its own (worst case: EC2
 *   picks them anywhere, which is how subnets fragment). Demand is therefore
 *   (prefixes + ENIs) x 16 addresses per node, capacity (subnet / 16 - 2) x 16.
 * - Overlay mode: a node takes one subnet address; the pod CIDR gives every node a /24
 *   (CLUSTER_POOL_MASK_SIZE), so it holds 2^(24 - prefix) nodes of the whole cluster.
 */

/** Addresses AWS reserves in every subnet. */
export const AWS_RESERVED_ADDRESSES_PER_SUBNET = 5;

/** One way a node source can reach its maximum scale (a node group's type, a Karpenter pool's smallest or largest type). */
export interface NodeScenario {
  readonly instanceType: string;
  /** Nodes in the whole cluster at maximum scale. */
  readonly nodes: number;
  /** The project's max pods for this type (host-network pods included). */
  readonly podsPerNode: number;
}

/** A node group or Karpenter pool; the budget takes its scenario with the largest demand. */
export interface NodeSource {
  /** e.g. `node_groups[0] (system)` or `karpenter.general`. */
  readonly label: string;
  readonly scenarios: readonly NodeScenario[];
}

export interface IpBudgetInput {
  readonly mode: 'eni' | 'overlay';
  readonly prefixDelegation: boolean;
  /** Pods on the host network: counted in max pods, take no address. */
  readonly hostNetworkPods: number;
  readonly subnets: ReadonlyArray<{ readonly zone: string; readonly cidr: string }>;
  /** Overlay mode: the cluster-pool range. */
  readonly podCidr?: string;
  readonly sources: readonly NodeSource[];
  /** Warn when demand exceeds this share of the capacity (0-1). */
  readonly warnAtShare: number;
}

export type BudgetVerdict = 'ok' | 'warn' | 'refuse';

export interface SourceDemand {
  readonly label: string;
  readonly instanceType: string;
  /** Nodes of this source in the zone. */
  readonly nodes: number;
  readonly podsPerNode: number;
  /** Subnet addresses one node takes (prefix delegation: whole /28 blocks, fragmentation included). */
  readonly addressesPerNode: number;
}

export interface ZoneBudget {
  readonly zone: string;
  readonly subnet: string;
  readonly size: number;
  readonly reserved: number;
  /** Addresses pods and nodes can use (prefix delegation: in whole aligned /28 blocks). */
  readonly capacity: number;
  /** Addresses needed at maximum scale. */
  readonly demand: number;
  readonly nodes: number;
  readonly sources: readonly SourceDemand[];
  readonly verdict: BudgetVerdict;
}

export interface PodCidrBudget {
  readonly podCidr: string;
  /** Nodes the pod CIDR holds (one /24 each). */
  readonly capacity: number;
  /** Nodes of the cluster at maximum scale. */
  readonly demand: number;
  readonly verdict: BudgetVerdict;
}

export interface IpBudget {
  readonly zones: readonly ZoneBudget[];
  readonly podCidr?: PodCidrBudget;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

function ipv4PerEni(instanceType: string): number {
  return instanceTypeData(instanceType).ipv4PerEni;
}

/** Subnet addresses one node takes at max pods (see the model above). */
export function addressesPerNode(instanceType: string, podsPerNode: number, options: Pick<IpBudgetInput, 'mode' | 'prefixDelegation' | 'hostNetworkPods'>): number {
  if (options.mode === 'overlay') return 1;
  // Pods off the host network, plus Cilium's router and health addresses from the same ENI pool.
  const podAddresses = Math.max(podsPerNode - options.hostNetworkPods, 0) + CILIUM_NODE_ADDRESSES;
  const slotsPerEni = ipv4PerEni(instanceType) - 1;
  if (!options.prefixDelegation) return podAddresses + Math.max(1, Math.ceil(podAddresses / slotsPerEni));
  const prefixes = Math.ceil(podAddresses / ADDRESSES_PER_PREFIX);
  const enis = Math.max(1, Math.ceil(prefixes / slotsPerEni));
  return (prefixes + enis) * ADDRESSES_PER_PREFIX;
}

/** Usable addresses of a subnet: all but AWS's 5, or with prefix delegation the whole aligned /28 blocks free of them. */
export function subnetCapacity(size: number, prefixDelegation: boolean): number {
  if (!prefixDelegation) return Math.max(size - AWS_RESERVED_ADDRESSES_PER_SUBNET, 0);
  const blocks = Math.floor(size / ADDRESSES_PER_PREFIX);
  const reservedBlocks = blocks >= 2 ? 2 : blocks;
  return (blocks - reservedBlocks) * ADDRESSES_PER_PREFIX;
}

function verdict(demand: number, capacity: number, warnAtShare: number): BudgetVerdict {
  if (demand > capacity) return 'refuse';
  return demand > warnAtShare * capacity ? 'warn' : 'ok';
}

function percent(demand: number, capacity: number): string {
  return capacity === 0 ? 'all' : `${Math.round((100 * demand) / capacity)}%`;
}

function remedy(input: IpBudgetInput): string {
  if (input.mode === 'overlay') return 'larger private subnets (vpc_cidr) or fewer nodes (max_size, karpenter cpu_limit)';
  const modeRemedy = input.prefixDelegation
    ? 'cilium.prefix_delegation: false (no /28 fragmentation)'
    : 'cilium.prefix_delegation: true (ENI limits allow more pods per node, fewer nodes for the same pods)';
  return `larger private subnets (vpc_cidr), cilium_mode: overlay (pods leave the subnet), ${modeRemedy}, or fewer nodes (max_size, karpenter cpu_limit)`;
}

/** The budget of every zone and, in overlay mode, of the pod CIDR. Pure: the caller decides how to warn or refuse. */
export function podIpBudget(input: IpBudgetInput): IpBudget {
  const zoneCount = input.subnets.length;
  const warnings: string[] = [];
  const errors: string[] = [];
  const perZone = (nodes: number) => Math.ceil(nodes / zoneCount);
  // The scenario with the most addresses per zone stands for its source.
  const sources: SourceDemand[] = input.sources
    .filter((source) => source.scenarios.length > 0)
    .map((source) => {
      const demands = source.scenarios.map((scenario) => ({
        label: source.label,
        instanceType: scenario.instanceType,
        nodes: perZone(scenario.nodes),
        podsPerNode: scenario.podsPerNode,
        addressesPerNode: addressesPerNode(scenario.instanceType, scenario.podsPerNode, input),
      }));
      return demands.reduce((worst, candidate) => (candidate.nodes * candidate.addressesPerNode > worst.nodes * worst.addressesPerNode ? candidate : worst));
    });
  const mode = input.mode === 'overlay' ? 'overlay mode' : input.prefixDelegation ? 'ENI mode with prefix delegation' : 'ENI mode';
  const zones = input.subnets.map((subnet): ZoneBudget => {
    const parsed = parseIpv4Cidr(subnet.cidr);
    if (!parsed) throw new Error(`"${subnet.cidr}" is not an IPv4 CIDR block`);
    const size = 2 ** (32 - parsed.prefix);
    const prefixBlocks = input.mode === 'eni' && input.prefixDelegation;
    const capacity = subnetCapacity(size, prefixBlocks);
    const demand = sources.reduce((sum, source) => sum + source.nodes * source.addressesPerNode, 0);
    const nodes = sources.reduce((sum, source) => sum + source.nodes, 0);
    const result = verdict(demand, capacity, input.warnAtShare);
    const detail = `${nodes} nodes at maximum scale (${sources.map((source) => `${source.label}: ${source.nodes} x ${source.instanceType} x ${source.addressesPerNode}`).join(', ')}) need ${demand} addresses in ${mode}`;
    const where = `zone ${subnet.zone}, private subnet ${subnet.cidr} (${capacity} usable${prefixBlocks ? ' in whole /28 blocks' : ''})`;
    if (result === 'refuse') errors.push(`pod IP budget: ${where}: ${detail}, more than the subnet holds; use ${remedy(input)}`);
    if (result === 'warn') warnings.push(`pod IP budget: ${where}: ${detail}, ${percent(demand, capacity)} of the subnet (ip_budget.warn_at_share ${input.warnAtShare}); consider ${remedy(input)}`);
    return { zone: subnet.zone, subnet: subnet.cidr, size, reserved: AWS_RESERVED_ADDRESSES_PER_SUBNET, capacity, demand, nodes, sources, verdict: result };
  });

  let podCidr: PodCidrBudget | undefined;
  if (input.mode === 'overlay' && input.podCidr) {
    const parsed = parseIpv4Cidr(input.podCidr);
    if (!parsed) throw new Error(`"${input.podCidr}" is not an IPv4 CIDR block`);
    const capacity = 2 ** Math.max(CLUSTER_POOL_MASK_SIZE - parsed.prefix, 0);
    const demand = input.sources.reduce((sum, source) => sum + Math.max(0, ...source.scenarios.map((scenario) => scenario.nodes)), 0);
    const result = verdict(demand, capacity, input.warnAtShare);
    const detail = `${demand} nodes at maximum scale need one /${CLUSTER_POOL_MASK_SIZE} each; cilium.pod_cidr ${input.podCidr} holds ${capacity}`;
    const fix = 'a larger cilium.pod_cidr or fewer nodes (max_size, karpenter cpu_limit)';
    if (result === 'refuse') errors.push(`pod IP budget: ${detail}; use ${fix}`);
    if (result === 'warn') warnings.push(`pod IP budget: ${detail} (${percent(demand, capacity)}, ip_budget.warn_at_share ${input.warnAtShare}); consider ${fix}`);
    podCidr = { podCidr: input.podCidr, capacity, demand, verdict: result };
  }
  return { zones, podCidr, warnings, errors };
}

export { admittedInstanceTypes, type InstanceRequirement } from './instance-types.js';

/** Thrown when pods at maximum scale cannot get addresses; synth stops before anything is written. */
export class IpBudgetError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'IpBudgetError';
  }
}
