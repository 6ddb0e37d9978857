import type { NodeSource } from '../../capacity/ip-budget.js';
import { CILIUM_ENI_FIRST_INTERFACE_INDEX } from '../cilium/eni.js';
import { configuredPools, karpenterPoolOf } from '../../karpenter/configured-pools.js';
import { karpenterMaxPods, karpenterPoolScenarios } from '../../karpenter/karpenter-capacity.js';
import { karpenterNodeRoleName } from '../../karpenter/karpenter-infrastructure.js';
import { karpenterPoolFamilies, karpenterPoolRequirements, type KarpenterNodeClassProps, type KarpenterPool } from '../../karpenter/node-pools.js';
import type { CorePlan } from '../../plan/platform-plan.js';
import type { KarpenterSettings } from './config.js';

/** Karpenter, AWS side (compute stack) and Kubernetes side (platform stack): `plan.features.karpenter`. */
export interface KarpenterPlan {
  /** The EC2NodeClass every pool uses. */
  readonly nodeClass: KarpenterNodeClassProps;
  readonly pools: readonly KarpenterPool[];
  /** ENIs Karpenter must not count for pods (Cilium's first interface index). */
  readonly reservedEnis: number;
  readonly createSpotServiceLinkedRole: boolean;
}

/** The plan step: the NodePools of the config (karpenter.general, karpenter.gpu when set, then karpenter.node_pools) and their EC2NodeClass. */
export function planKarpenter(config: { readonly karpenter: KarpenterSettings }, core: Pick<CorePlan, 'clusterName' | 'cilium'>): KarpenterPlan | undefined {
  if (!config.karpenter.enabled) return undefined;
  const capacity = core.cilium?.podCapacity;
  const pools = configuredPools(config.karpenter).map(karpenterPoolOf);
  return {
    nodeClass: {
      clusterName: core.clusterName,
      nodeRoleName: karpenterNodeRoleName(core.clusterName),
      amiAlias: config.karpenter.ami_alias,
      // One kubelet maxPods per EC2NodeClass, over every pool's admitted families.
      maxPods: capacity && karpenterMaxPods(capacity, pools.map((pool) => ({ families: karpenterPoolFamilies(pool), ...(pool.requirements ? { requirements: pool.requirements } : {}) }))),
      ciliumEni: capacity?.mode === 'eni',
    },
    pools,
    reservedEnis: CILIUM_ENI_FIRST_INTERFACE_INDEX,
    createSpotServiceLinkedRole: config.karpenter.create_spot_service_linked_role,
  };
}

/** Every pool at its CPU limit, each node with the EC2NodeClass's one maxPods: what the pod IP budget counts. */
export function karpenterIpBudgetSources(plan: KarpenterPlan, core: Pick<CorePlan, 'cilium'>): NodeSource[] {
  const datapath = { ciliumEni: core.cilium?.podCapacity.mode === 'eni' };
  return plan.pools.map((pool) => ({
    label: pool.source ?? `karpenter.${pool.name}`,
    scenarios: karpenterPoolScenarios(karpenterPoolRequirements(pool, datapath), pool.cpuLimit, () => plan.nodeClass.maxPods!),
  }));
}
