import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import { nodeUserData } from '../lib/private/node-user-data.js';
import { CILIUM_STARTUP_TAINT } from '../constructs/managed-node-group.js';
import { familiesInCategories, type InstanceArchitecture } from '../capacity/instance-types.js';
import { ACCELERATOR_TAINTS } from '../capacity/ami-types.js';
import { KARPENTER_EXCLUDED_SIZES } from './karpenter-capacity.js';
import type { KubernetesObject } from '../kubernetes/validate.js';

/** The taint that keeps non-GPU pods off GPU nodes (managed node groups of GPU types get it too). */
export const GPU_TAINT = ACCELERATOR_TAINTS.nvidia;

/** The one EC2NodeClass every NodePool uses. */
export const KARPENTER_NODE_CLASS = 'default';

/** One Karpenter NodePool of an environment (`karpenter.general`, `karpenter.gpu`). */
export interface KarpenterPool {
  /** NodePool name, also the `platform/node-pool` label of its nodes. */
  readonly name: string;
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
  readonly operator: 'In' | 'NotIn' | 'Gt';
  readonly values: string[];
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
  return requirements;
}

/** One NodePool: requirements from its pool; with Cilium, nodes start tainted until its agent runs. */
export function karpenterNodePool(pool: KarpenterPool, datapath: KarpenterDatapath): NodePool & KubernetesObject {
  const nodePool = new NodePool({
    metadata: { name: pool.name },
    spec: {
      template: {
        metadata: { labels: { 'platform/node-pool': pool.name } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: KARPENTER_NODE_CLASS },
          requirements: karpenterPoolRequirements(pool, datapath),
          // Without the startup taint, pods land before Cilium is ready, fail, and Karpenter keeps launching nodes.
          ...(datapath.ciliumEnabled ? { startupTaints: [{ key: CILIUM_STARTUP_TAINT.key, value: CILIUM_STARTUP_TAINT.value, effect: 'NoExecute' as const }] } : {}),
          ...(pool.gpu ? { taints: [{ ...GPU_TAINT }] } : {}),
        },
      },
      limits: { cpu: pool.cpuLimit, memory: `${pool.memoryLimitGib}Gi` },
      disruption: { consolidationPolicy: pool.consolidationPolicy, consolidateAfter: pool.consolidateAfter },
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
