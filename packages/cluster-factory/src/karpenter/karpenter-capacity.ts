import { KNOWN_INSTANCE_TYPES, familyCategoryAndGeneration, instanceFamily, instanceVcpus, isKnownInstanceType } from '../capacity/instance-types.js';
import { ciliumMaxPods, OVERLAY_MAX_PODS, type CiliumPodCapacityOptions } from '../capacity/max-pods.js';
import { admittedInstanceTypes, type InstanceRequirement, type NodeScenario } from '../capacity/ip-budget.js';

/**
 * Instance sizes a Karpenter NodePool never launches in ENI mode. Their pod capacity is far
 * below that of every larger size (m7a.medium: 2 ENIs x 3 addresses; with prefix delegation
 * 2 x 3 x 16 = 96 < 110), and Karpenter nodes share one kubelet maxPods per EC2NodeClass:
 * admitting them would force that figure down for every node, so the pools exclude them.
 */
export const KARPENTER_EXCLUDED_SIZES = ['nano', 'micro', 'small', 'medium'] as const;

/** A pool as the capacity rules see it: its families and the requirements its config adds. */
export interface PoolCapacity {
  readonly families: readonly string[];
  /** The pool's own requirements (instance-size, instance-cpu...), which narrow what it launches. @default none */
  readonly requirements?: readonly InstanceRequirement[];
}

/** True when Karpenter may launch the type: a known type, generation > 4, not an excluded size, admitted by the pool's own requirements. */
export function karpenterMayLaunch(instanceType: string, pool: PoolCapacity): boolean {
  const family = instanceFamily(instanceType);
  const size = instanceType.split('.')[1] ?? '';
  const { generation } = familyCategoryAndGeneration(family);
  return (
    isKnownInstanceType(instanceType) &&
    pool.families.includes(family) &&
    generation > 4 &&
    !(KARPENTER_EXCLUDED_SIZES as readonly string[]).includes(size) &&
    (pool.requirements === undefined || admittedBy(pool.requirements).has(instanceType))
  );
}

const admitted = new WeakMap<readonly InstanceRequirement[], ReadonlySet<string>>();
/** The types of the table a pool's own requirements admit (computed once per list). */
function admittedBy(requirements: readonly InstanceRequirement[]): ReadonlySet<string> {
  let types = admitted.get(requirements);
  if (!types) {
    types = new Set(admittedInstanceTypes(requirements, Number.POSITIVE_INFINITY));
    admitted.set(requirements, types);
  }
  return types;
}

/**
 * The kubelet maxPods of Karpenter nodes: the smallest figure over every type the pools may
 * launch (karpenterMayLaunch). One figure, because an EC2NodeClass sets one. Karpenter's own
 * per-type figure (ENIs x (IPv4 per ENI - 1) + 2, pkg/providers/instancetype/types.go
 * ENILimitedPods) assumes the VPC CNI: it counts neither Cilium's two node addresses nor a
 * third host-network pod, so with Cilium ENI mode it is one pod too high on every type.
 * Overlay mode: 110 for every type.
 */
export function karpenterMaxPods(options: CiliumPodCapacityOptions, pools: readonly PoolCapacity[]): number {
  if (options.mode === 'overlay') return OVERLAY_MAX_PODS;
  const types = KNOWN_INSTANCE_TYPES.filter((type) => pools.some((pool) => karpenterMayLaunch(type, pool)));
  if (types.length === 0) throw new Error(`no instance type of the table fits the Karpenter pools (families ${pools.map((pool) => pool.families.join(', ')).join('; ')})`);
  return Math.min(...types.map((type) => ciliumMaxPods(type, options)));
}

/** A Karpenter pool at its CPU limit: as many nodes of its smallest admitted types as fit, and of its largest (every type of those sizes). */
export function karpenterPoolScenarios(requirements: readonly InstanceRequirement[], cpuLimit: number, podsPerNode: (instanceType: string) => number): NodeScenario[] {
  const admitted = admittedInstanceTypes(requirements, cpuLimit);
  if (admitted.length === 0) return [];
  const smallest = instanceVcpus(admitted[0]!);
  const largest = instanceVcpus(admitted[admitted.length - 1]!);
  const extremes = admitted.filter((type) => [smallest, largest].includes(instanceVcpus(type)));
  return extremes.map((instanceType) => ({ instanceType, nodes: Math.floor(cpuLimit / instanceVcpus(instanceType)), podsPerNode: podsPerNode(instanceType) }));
}
