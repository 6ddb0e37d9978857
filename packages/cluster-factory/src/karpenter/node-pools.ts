import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import { nodeUserData } from '../lib/private/node-user-data.js';
import { CILIUM_STARTUP_TAINT } from '../constructs/managed-node-group.js';
import { familiesInCategories, type InstanceArchitecture } from '../capacity/instance-types.js';
import { ACCELERATOR_TAINTS, type KubernetesTaint } from '../capacity/ami-types.js';

/** A taint of a pool's nodes; the value may be left out. */
export type NodePoolTaint = Omit<KubernetesTaint, 'value'> & { readonly value?: string };
import { KARPENTER_EXCLUDED_SIZES } from './karpenter-capacity.js';
import type { KubernetesObject } from '../kubernetes/validate.js';

/** The taint that keeps non-GPU pods off GPU nodes (managed node groups of GPU types get it too). */
export const GPU_TAINT = ACCELERATOR_TAINTS.nvidia;

/** The one EC2NodeClass every NodePool uses. */
export const KARPENTER_NODE_CLASS = 'default';

/** The label every node of a pool carries, with the pool's name: set by the platform, never by a pool's `labels`. */
export const NODE_POOL_LABEL = 'platform/node-pool';

/** Node selector operators of a NodePool requirement (the pinned CRD's enum, karpenter.sh/v1 v1.14.1). */
export const NODE_POOL_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'] as const;
export type NodePoolOperator = (typeof NODE_POOL_OPERATORS)[number];

/** A disruption budget: at most `nodes` (a count or a percentage) disrupted at once, optionally only in a cron window. */
export interface DisruptionBudget {
  /** `10%` or `5`. */
  readonly nodes: string;
  /** Cron schedule of the window the budget applies in; needs `duration`. @default always */
  readonly schedule?: string;
  /** Length of the window, such as `8h` or `1h30m`. @default none */
  readonly duration?: string;
  /** The disruption reasons the budget limits. @default all */
  readonly reasons?: ReadonlyArray<'Underutilized' | 'Empty' | 'Drifted'>;
}

/** One Karpenter NodePool of an environment (`karpenter.general`, `karpenter.gpu`, `karpenter.node_pools[]`). */
export interface KarpenterPool {
  /** NodePool name, also the `platform/node-pool` label of its nodes. */
  readonly name: string;
  /** How messages (the IP budget) name the pool: its place in the config. @default `karpenter.<name>` */
  readonly source?: string;
  readonly capacityTypes: ReadonlyArray<'spot' | 'on-demand'>;
  /** Instance categories (first letter of the family); ignored when instanceFamilies is set. */
  readonly instanceCategories: readonly string[];
  /** Instance families; empty: every family of instanceCategories. */
  readonly instanceFamilies: readonly string[];
  /**
   * CPU architectures (`kubernetes.io/arch`) the pool may launch. The EC2NodeClass's AL2023
   * alias resolves an AMI for each (and NVIDIA and Neuron variants). @default ['amd64']
   */
  readonly architectures?: readonly InstanceArchitecture[];
  /** Most vCPUs the pool may run in total. */
  readonly cpuLimit: number;
  readonly memoryLimitGib: number;
  readonly consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
  /** A duration such as `30s` or `5m`. */
  readonly consolidateAfter: string;
  /** GPU nodes: tainted so that only pods tolerating GPU_TAINT land there. @default false */
  readonly gpu?: boolean;
  /** Requirements after the platform's own (Karpenter intersects requirements of one key). @default none */
  readonly requirements?: readonly NodePoolRequirement[];
  /** Taints of every node, after GPU_TAINT on a GPU pool. @default none */
  readonly taints?: readonly NodePoolTaint[];
  /** Labels of every node, after NODE_POOL_LABEL. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Karpenter tries pools of higher weight first (1-100). @default none (weight 0) */
  readonly weight?: number;
  /** Disruption budgets. @default none (Karpenter's own: 10% of the nodes) */
  readonly disruptionBudgets?: readonly DisruptionBudget[];
}

/** How the cluster's datapath shapes the pools. */
export interface KarpenterDatapath {
  /** Cilium is the CNI: nodes start with its startup taint. */
  readonly ciliumEnabled: boolean;
  /**
   * Cilium ENI mode: pools are limited to the instance table's families and to sizes above
   * KARPENTER_EXCLUDED_SIZES, and node user data leaves Cilium's ENIs unmanaged.
   */
  readonly ciliumEni: boolean;
}

/** The architectures a pool may launch. */
export function karpenterPoolArchitectures(pool: Pick<KarpenterPool, 'architectures'>): InstanceArchitecture[] {
  return [...(pool.architectures ?? ['amd64'])];
}

/** The instance families a pool may launch in Cilium ENI mode: only the table's (of its architectures), whose ENI limits maxPods is computed from. */
export function karpenterPoolFamilies(pool: Pick<KarpenterPool, 'instanceFamilies' | 'instanceCategories' | 'architectures'>): string[] {
  return pool.instanceFamilies.length > 0 ? [...pool.instanceFamilies] : familiesInCategories(pool.instanceCategories, karpenterPoolArchitectures(pool));
}

/** A NodePool requirement, as this project writes them. */
export interface NodePoolRequirement {
  readonly key: string;
  readonly operator: NodePoolOperator;
  /** Omitted for Exists and DoesNotExist when empty. */
  readonly values: string[];
  /** At least this many distinct values of the key among the instance types Karpenter considers. @default none */
  readonly minValues?: number;
}

/** The instance requirements of a pool's NodePool (also what the IP budget admits). */
export function karpenterPoolRequirements(pool: KarpenterPool, datapath: Pick<KarpenterDatapath, 'ciliumEni'>): NodePoolRequirement[] {
  const requirements: NodePoolRequirement[] = [
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...pool.capacityTypes] },
    { key: 'kubernetes.io/arch', operator: 'In', values: karpenterPoolArchitectures(pool) },
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
  ];
  if (datapath.ciliumEni) requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: karpenterPoolFamilies(pool) });
  else if (pool.instanceFamilies.length > 0) requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [...pool.instanceFamilies] });
  else requirements.push({ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: [...pool.instanceCategories] });
  requirements.push({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] });
  // One maxPods per EC2NodeClass: the smallest sizes would pull it down for every node (karpenter-capacity.ts).
  if (datapath.ciliumEni) requirements.push({ key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: [...KARPENTER_EXCLUDED_SIZES] });
  for (const requirement of pool.requirements ?? []) requirements.push({ ...requirement, values: [...requirement.values] });
  return requirements;
}

/** A requirement as the CRD spells it: values omitted only where Exists or DoesNotExist has none. */
function crdRequirement(requirement: NodePoolRequirement) {
  const { key, operator, values, minValues } = requirement;
  const noValues = (operator === 'Exists' || operator === 'DoesNotExist') && values.length === 0;
  // @kubernetes-models/karpenter (from v1.12.1) lacks Gte and Lte, which the pinned v1.14.1 CRD accepts.
  return { key, operator: operator as 'In', ...(noValues ? {} : { values }), ...(minValues === undefined ? {} : { minValues }) };
}

/** One NodePool: requirements from its pool; with Cilium, nodes start tainted until its agent runs. */
export function karpenterNodePool(pool: KarpenterPool, datapath: KarpenterDatapath): NodePool & KubernetesObject {
  const taints = [...(pool.gpu ? [GPU_TAINT] : []), ...(pool.taints ?? [])].map((taint) => ({ ...taint }));
  const budgets = pool.disruptionBudgets ?? [];
  const nodePool = new NodePool({
    metadata: { name: pool.name },
    spec: {
      ...(pool.weight === undefined ? {} : { weight: pool.weight }),
      template: {
        metadata: { labels: { [NODE_POOL_LABEL]: pool.name, ...pool.labels } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: KARPENTER_NODE_CLASS },
          requirements: karpenterPoolRequirements(pool, datapath).map(crdRequirement),
          // Without the startup taint, pods land before Cilium is ready, fail, and Karpenter keeps launching nodes.
          ...(datapath.ciliumEnabled ? { startupTaints: [{ key: CILIUM_STARTUP_TAINT.key, value: CILIUM_STARTUP_TAINT.value, effect: 'NoExecute' as const }] } : {}),
          ...(taints.length > 0 ? { taints } : {}),
        },
      },
      limits: { cpu: pool.cpuLimit, memory: `${pool.memoryLimitGib}Gi` },
      disruption: {
        consolidationPolicy: pool.consolidationPolicy,
        consolidateAfter: pool.consolidateAfter,
        ...(budgets.length > 0 ? { budgets: budgets.map(({ reasons, ...budget }) => ({ ...budget, ...(reasons ? { reasons: [...reasons] } : {}) })) } : {}),
      },
    },
  });
  // The models type metadata as optional; it is set above.
  return nodePool as NodePool & KubernetesObject;
}

export interface KarpenterNodeClassProps {
  /** The literal cluster name (discovery tags). */
  readonly clusterName: string;
  /** Literal name of the IAM role of the nodes Karpenter launches (karpenterNodeRoleName). */
  readonly nodeRoleName: string;
  /** EC2NodeClass AMI alias, e.g. `al2023@latest`. */
  readonly amiAlias: string;
  /**
   * kubelet maxPods of Karpenter nodes (karpenterMaxPods): with Cilium, Karpenter's own
   * per-type figure assumes the VPC CNI. @default Karpenter's per-type figure (VPC CNI)
   */
  readonly maxPods?: number;
  /** Cilium ENI mode: user data leaves Cilium's ENIs unmanaged. @default false */
  readonly ciliumEni?: boolean;
}

/**
 * The EC2NodeClass: AL2023 alias, IMDSv2 with hop limit 1, encrypted gp3 root volume, subnets
 * and the node security group by the discovery tag, and the EKS cluster security group by the
 * `aws:eks:cluster-name` tag EKS puts on it (a literal, where its ID would be an apply-time token).
 */
export function karpenterNodeClass(props: KarpenterNodeClassProps): EC2NodeClass & KubernetesObject {
  const userData = nodeUserData({ ciliumEni: props.ciliumEni ?? false });
  const nodeClass = new EC2NodeClass({
    metadata: { name: KARPENTER_NODE_CLASS },
    spec: {
      role: props.nodeRoleName,
      amiSelectorTerms: [{ alias: props.amiAlias }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': props.clusterName } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': props.clusterName } }, { tags: { 'aws:eks:cluster-name': props.clusterName } }],
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      ...(props.maxPods === undefined ? {} : { kubelet: { maxPods: props.maxPods } }),
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '50Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }],
      ...(userData === undefined ? {} : { userData }),
    },
  });
  return nodeClass as EC2NodeClass & KubernetesObject;
}
