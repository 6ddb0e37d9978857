import type { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import type { ClusterInfo, PlatformAddon } from './addon.js';
import { helmValues } from '../lib/private/helm.js';
import { nodeUserData } from '../lib/private/node-user-data.js';
import { KARPENTER_CHART, KARPENTER_CRD_CHART } from '../versions.js';
import { CILIUM_STARTUP_TAINT } from '../constructs/managed-node-group.js';
import { KARPENTER_SERVICE_ACCOUNT } from '../constructs/karpenter-infrastructure.js';
import { KARPENTER_EXCLUDED_SIZES, familiesInCategories } from '../capacity/max-pods.js';
import { ManifestChart } from '../kubernetes/manifest-chart.js';
import type { KubernetesObject } from '../kubernetes/validate.js';
import type { EnvironmentConfig } from '../config/schema.js';

/** The taint that keeps non-GPU pods off GPU nodes. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' } as const;

/** The one EC2NodeClass every NodePool uses. */
export const KARPENTER_NODE_CLASS = 'default';

type PoolConfig = EnvironmentConfig['karpenter']['general'];

export interface KarpenterAddonProps {
  /** The literal cluster name (tag selectors and settings). */
  readonly clusterName: string;
  /** Literal name of the IAM role of the nodes Karpenter launches (karpenterNodeRoleName). */
  readonly nodeRoleName: string;
  readonly interruptionQueueName: string;
  /**
   * kubelet maxPods of Karpenter nodes (karpenterMaxPods): with Cilium, Karpenter's own
   * per-type figure assumes the VPC CNI. @default Karpenter's per-type figure (VPC CNI)
   */
  readonly maxPods?: number;
  /** ENIs Karpenter must not count for pods (Cilium's eni.nodeSpec.firstInterfaceIndex). */
  readonly reservedEnis: number;
  /**
   * Cilium ENI mode: pools are limited to the instance table's families and to sizes above
   * KARPENTER_EXCLUDED_SIZES, and node user data leaves Cilium's ENIs unmanaged. @default false
   */
  readonly ciliumEni?: boolean;
  readonly config: EnvironmentConfig['karpenter'];
}

/** The instance families a pool may launch in Cilium ENI mode: only the table's, whose ENI limits maxPods is computed from. */
export function karpenterPoolFamilies(pool: PoolConfig): string[] {
  return pool.instance_families.length > 0 ? [...pool.instance_families] : familiesInCategories(pool.instance_categories);
}

/** One NodePool: requirements from config; with Cilium, nodes start tainted until its agent runs. */
export function karpenterNodePool(name: string, pool: PoolConfig, options: { ciliumEnabled: boolean; ciliumEni: boolean; gpu: boolean }): NodePool & KubernetesObject {
  const requirements: Array<{ key: string; operator: 'In' | 'NotIn' | 'Gt'; values: string[] }> = [
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...pool.capacity_types] },
    { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
  ];
  if (options.ciliumEni) requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: karpenterPoolFamilies(pool) });
  else if (pool.instance_families.length > 0) requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [...pool.instance_families] });
  else requirements.push({ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: [...pool.instance_categories] });
  requirements.push({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] });
  // One maxPods per EC2NodeClass: the smallest sizes would pull it down for every node (capacity/max-pods.ts).
  if (options.ciliumEni) requirements.push({ key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: [...KARPENTER_EXCLUDED_SIZES] });
  const nodePool = new NodePool({
    metadata: { name },
    spec: {
      template: {
        metadata: { labels: { 'platform/node-pool': name } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: KARPENTER_NODE_CLASS },
          requirements,
          // Without the startup taint, pods land before Cilium is ready, fail, and Karpenter keeps launching nodes.
          ...(options.ciliumEnabled ? { startupTaints: [{ key: CILIUM_STARTUP_TAINT.key, value: CILIUM_STARTUP_TAINT.value, effect: 'NoExecute' as const }] } : {}),
          ...(options.gpu ? { taints: [{ ...GPU_TAINT }] } : {}),
        },
      },
      limits: { cpu: pool.cpu_limit, memory: `${pool.memory_limit_gib}Gi` },
      disruption: { consolidationPolicy: pool.consolidation_policy, consolidateAfter: pool.consolidate_after },
    },
  });
  // The models type metadata as optional; it is set above.
  return nodePool as NodePool & KubernetesObject;
}

/**
 * The EC2NodeClass: AL2023 alias, IMDSv2 with hop limit 1, encrypted gp3 root volume, subnets
 * and the node security group by the discovery tag, and the EKS cluster security group by the
 * `aws:eks:cluster-name` tag EKS puts on it (a literal, where its ID would be an apply-time token).
 */
export function karpenterNodeClass(props: Pick<KarpenterAddonProps, 'clusterName' | 'nodeRoleName' | 'maxPods' | 'ciliumEni' | 'config'>): EC2NodeClass & KubernetesObject {
  const userData = nodeUserData({ ciliumEni: props.ciliumEni ?? false });
  const nodeClass = new EC2NodeClass({
    metadata: { name: KARPENTER_NODE_CLASS },
    spec: {
      role: props.nodeRoleName,
      amiSelectorTerms: [{ alias: props.config.ami_alias }],
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

/** The Karpenter controller chart's values (every key exists in the chart: test/karpenter-upstream.test.ts). */
export function karpenterControllerValues(props: Pick<KarpenterAddonProps, 'clusterName' | 'interruptionQueueName' | 'reservedEnis'>): object {
  return {
    serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT.name },
    settings: { clusterName: props.clusterName, interruptionQueue: props.interruptionQueueName, reservedENIs: String(props.reservedEnis) },
    replicas: 2,
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'eks.amazonaws.com/nodegroup', operator: 'Exists' },
                { key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' },
              ],
            },
          ],
        },
      },
    },
  };
}

/**
 * Karpenter: its CRDs (karpenter-crd chart, so they upgrade), the controller (on the managed
 * node group, never on nodes it manages) and the EC2NodeClass and NodePools, built as typed
 * objects and shipped as plain YAML (ManifestChart) so they plan without a live API.
 */
export function karpenterAddon(props: KarpenterAddonProps): PlatformAddon {
  return {
    name: 'karpenter',
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const crds = new Release(scope, 'karpenter-crd', {
        name: 'karpenter-crd',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        repository: KARPENTER_CRD_CHART.repository,
        chart: KARPENTER_CRD_CHART.chart,
        version: KARPENTER_CRD_CHART.version,
      });
      const controller = new Release(scope, 'karpenter', {
        name: 'karpenter',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        repository: KARPENTER_CHART.repository,
        chart: KARPENTER_CHART.chart,
        version: KARPENTER_CHART.version,
        // The chart's crds/ directory would be installed once and never upgraded: karpenter-crd owns them.
        skipCrds: true,
        ...helmValues(karpenterControllerValues(props)),
        wait: true,
        dependsOn: [crds],
      });
      const ciliumEnabled = cluster.networking.ciliumEnabled;
      const ciliumEni = props.ciliumEni ?? false;
      const objects = [
        karpenterNodeClass(props),
        karpenterNodePool('general', props.config.general, { ciliumEnabled, ciliumEni, gpu: false }),
        ...(props.config.gpu ? [karpenterNodePool('gpu', props.config.gpu, { ciliumEnabled, ciliumEni, gpu: true })] : []),
      ];
      const chart = new ManifestChart(scope, 'karpenter-node-pools-chart', {
        name: 'karpenter-node-pools',
        description: 'The EC2NodeClass and NodePools of this cluster (cluster-factory src/addons/karpenter.ts).',
        objects,
      });
      const nodePools = new Release(scope, 'karpenter-node-pools', {
        name: 'karpenter-node-pools',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        chart: chart.path,
        dependsOn: [controller],
      });
      return [crds, controller, nodePools];
    },
  };
}
