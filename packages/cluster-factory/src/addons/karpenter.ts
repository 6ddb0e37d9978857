import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { AssetType, TerraformAsset } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ClusterInfo, PlatformAddon } from './addon.js';
import { helmValues } from '../lib/private/helm.js';
import { KARPENTER_CHART } from '../versions.js';
import { CILIUM_STARTUP_TAINT } from '../constructs/managed-node-group.js';
import { KARPENTER_SERVICE_ACCOUNT } from '../constructs/karpenter-infrastructure.js';
import type { EnvironmentConfig } from '../config/schema.js';

export const KARPENTER_NODE_POOLS_CHART = fileURLToPath(new URL('../../charts/karpenter-node-pools', import.meta.url));

/** The taint that keeps non-GPU pods off GPU nodes. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' } as const;

type PoolConfig = EnvironmentConfig['karpenter']['general'];

interface Requirement {
  key: string;
  operator: 'In' | 'Gt';
  values: string[];
}

export interface NodePoolValues {
  name: string;
  labels: Record<string, string>;
  requirements: Requirement[];
  startupTaints: Array<{ key: string; value: string; effect: 'NoExecute' }>;
  taints: Array<{ key: string; value: string; effect: 'NoSchedule' }>;
  limits: { cpu: number; memory: string };
  disruption: { consolidationPolicy: string; consolidateAfter: string };
}

export interface KarpenterAddonProps {
  readonly clusterName: string;
  /** Name of the IAM role of the nodes Karpenter launches. */
  readonly nodeRoleName: string;
  readonly interruptionQueueName: string;
  /** The EKS cluster security group; nodes need it besides the discovered node group. */
  readonly clusterSecurityGroupId: string;
  /**
   * kubelet maxPods of Karpenter nodes, when one figure fits every type (overlay mode, prefix
   * delegation). Otherwise Karpenter computes it per type from ENI limits with
   * `reservedENIs` = Cilium's first interface index. @default per instance type
   */
  readonly maxPods?: number;
  /** ENIs Karpenter must not count for pods (Cilium's eni.nodeSpec.firstInterfaceIndex). */
  readonly reservedEnis: number;
  readonly config: EnvironmentConfig['karpenter'];
}

/** One NodePool: requirements from config; with Cilium, nodes start tainted until its agent runs. */
export function nodePoolValues(name: string, pool: PoolConfig, options: { ciliumEnabled: boolean; gpu: boolean }): NodePoolValues {
  const requirements: Requirement[] = [
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...pool.capacity_types] },
    { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
  ];
  if (pool.instance_families.length > 0) requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [...pool.instance_families] });
  else requirements.push({ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: [...pool.instance_categories] });
  requirements.push({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] });
  return {
    name,
    labels: { 'platform/node-pool': name },
    requirements,
    // Without the startup taint, pods land before Cilium is ready, fail, and Karpenter keeps launching nodes.
    startupTaints: options.ciliumEnabled ? [{ key: CILIUM_STARTUP_TAINT.key, value: CILIUM_STARTUP_TAINT.value, effect: 'NoExecute' }] : [],
    taints: options.gpu ? [{ ...GPU_TAINT }] : [],
    limits: { cpu: pool.cpu_limit, memory: `${pool.memory_limit_gib}Gi` },
    disruption: { consolidationPolicy: pool.consolidation_policy, consolidateAfter: pool.consolidate_after },
  };
}

/**
 * Karpenter's controller (on the managed node group, never on nodes it manages) and the
 * EC2NodeClass and NodePools, delivered as an in-repo chart so they plan without a live API.
 */
export function karpenterAddon(props: KarpenterAddonProps): PlatformAddon {
  return {
    name: 'karpenter',
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const controller = new Release(scope, 'karpenter', {
        name: 'karpenter',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        repository: KARPENTER_CHART.repository,
        chart: KARPENTER_CHART.chart,
        version: KARPENTER_CHART.version,
        ...helmValues({
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
        }),
        wait: true,
      });
      const chart = new TerraformAsset(scope, 'karpenter-node-pools-chart', { path: KARPENTER_NODE_POOLS_CHART, type: AssetType.DIRECTORY });
      const ciliumEnabled = cluster.networking.ciliumEnabled;
      const pools = [nodePoolValues('general', props.config.general, { ciliumEnabled, gpu: false })];
      if (props.config.gpu) pools.push(nodePoolValues('gpu', props.config.gpu, { ciliumEnabled, gpu: true }));
      const nodePools = new Release(scope, 'karpenter-node-pools', {
        name: 'karpenter-node-pools',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        chart: chart.path,
        ...helmValues({
          nodeClass: {
            name: 'default',
            role: props.nodeRoleName,
            amiAlias: props.config.ami_alias,
            discoveryTag: props.clusterName,
            clusterSecurityGroupId: props.clusterSecurityGroupId,
            maxPods: props.maxPods ?? null,
            volumeSizeGiB: 50,
          },
          nodePools: pools,
        }),
        dependsOn: [controller],
      });
      return [controller, nodePools];
    },
  };
}
