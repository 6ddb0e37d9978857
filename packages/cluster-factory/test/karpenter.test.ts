import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { KARPENTER_INTERRUPTION_EVENTS, interruptionQueuePolicy, karpenterControllerPolicy } from '../src/constructs/karpenter-infrastructure.js';
import { nodePoolValues } from '../src/addons/karpenter.js';
import { ciliumMaxPods, ciliumHostNetworkPods, maxPodsCap, uniformMaxPods, vpcCniMaxPods } from '../src/capacity/max-pods.js';
import { INSTANCE_ENI_LIMITS } from '../src/capacity/instance-eni-limits.js';
import { nodeadmUserData } from '../src/constructs/managed-node-group.js';
import { ConfigError } from '../src/config/load.js';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';

// amazon-eks-ami's published figures, copied into the repository with their source and date.
const REFERENCE = new URL('./reference/eni-max-pods.txt', import.meta.url);

describe('pod capacity', () => {
  const eni = { mode: 'eni' as const, prefixDelegation: false, hostNetworkPods: 2 };

  test('with 2 host-network pods, uncapped, Cilium ENI mode (first interface 0) equals the VPC CNI figure of amazon-eks-ami', () => {
    const reference = readFileSync(REFERENCE, 'utf8');
    const published = new Map(reference.split('\n').filter((line) => /^\S+ \d+$/.test(line)).map((line) => line.split(' ') as [string, string]));
    const compared = Object.keys(INSTANCE_ENI_LIMITS).filter((type) => published.has(type));
    expect(compared.length).toBeGreaterThan(100);
    for (const type of compared) {
      expect(vpcCniMaxPods(type), type).toBe(Number(published.get(type)));
      expect(ciliumMaxPods(type, eni, false), type).toBe(vpcCniMaxPods(type));
    }
  });

  test.each([
    // type, ENI mode (agent, envoy, pod identity agent on the host network), with prefix delegation, overlay
    ['t3.small', 12, 110, 110],
    ['t3.medium', 18, 110, 110],
    ['m5.large', 30, 110, 110],
    ['m6i.large', 30, 110, 110],
    ['m6i.xlarge', 59, 110, 110],
    ['c6i.4xlarge', 110, 110, 110],
    ['m6i.8xlarge', 235, 250, 110],
    ['m6i.24xlarge', 250, 250, 110],
  ])('%s: ENI %i, prefix delegation %i, overlay %i', (type, eniPods, prefixPods, overlayPods) => {
    const hostNetworkPods = ciliumHostNetworkPods({ l7Proxy: true, kubeProxyReplacement: true });
    expect(hostNetworkPods).toBe(3);
    expect(ciliumMaxPods(type, { mode: 'eni', prefixDelegation: false, hostNetworkPods })).toBe(eniPods);
    expect(ciliumMaxPods(type, { mode: 'eni', prefixDelegation: true, hostNetworkPods })).toBe(prefixPods);
    expect(ciliumMaxPods(type, { mode: 'overlay', prefixDelegation: false, hostNetworkPods })).toBe(overlayPods);
  });

  test.each([
    [{ mode: 'eni' as const, prefixDelegation: false }, undefined],
    [{ mode: 'eni' as const, prefixDelegation: true }, 110],
    [{ mode: 'overlay' as const, prefixDelegation: false }, 110],
  ])('one figure for every type: %j -> %s', (options, expected) => {
    expect(uniformMaxPods({ ...options, hostNetworkPods: 3 })).toBe(expected);
  });

  test('a reserved first interface removes that ENI\'s addresses', () => {
    expect(ciliumMaxPods('m6i.large', { ...eni, firstInterfaceIndex: 1 }, false)).toBe(2 * 9 + 2);
    expect(maxPodsCap('m6i.large')).toBe(110);
    expect(maxPodsCap('m6i.8xlarge')).toBe(250);
  });

  test('managed node groups get the smallest capacity of their types through nodeadm', () => {
    const { compute } = synthPlatform(sandboxConfig());
    const templates = Object.values(resourcesOf(compute, LaunchTemplate));
    expect(templates.map((template) => Buffer.from(String(template.user_data), 'base64').toString()).map((text) => /maxPods: (\d+)/.exec(text)?.[1])).toEqual(['30', '30']);
    expect(nodeadmUserData(30)).toBe(templates[0]!.user_data);
  });

  test('an instance type too small for the workload is warned about at synth', () => {
    const { platform } = synthPlatform(
      sandboxConfig({ node_groups: [{ name: 'tiny', instance_types: ['t3.small'], min_size: 1, max_size: 2, desired_size: 1 }] }),
    );
    const warnings = platform.compute.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => entry.data);
    expect(warnings).toEqual([
      'node_groups[0] (tiny): t3.small holds at most 12 pods with the Cilium eni datapath, fewer than min_pods_per_node 20; use a larger instance type or cilium.prefix_delegation',
    ]);
  });

  test('an unknown instance type is refused, saying where to add it', () => {
    expect(() => sandboxConfig({ node_groups: [{ name: 'xl', instance_types: ['m9z.large'] }] })).toThrow(ConfigError);
    try {
      sandboxConfig({ node_groups: [{ name: 'xl', instance_types: ['m9z.large'] }] });
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.replace(/^[^ ]+ /, ''))).toEqual([
        'node_groups[0].instance_types[0]: "m9z.large" is not in the instance table (src/capacity/instance-eni-limits.ts; families: t3, t3a, m5, m5a, m6i, m6a, m7i, m7a, c5, c6i, c6a, c7i, r5, r6i, r7i, g5, g6, p4d, p5)',
      ]);
    }
  });
});

describe('Karpenter on AWS', () => {
  const { compute } = synthPlatform(sandboxConfig());

  test('interruption handling: four rules with the exact detail-types AWS emits, into an SSE queue', () => {
    const patterns = Object.values(resourcesOf(compute, CloudwatchEventRule)).map((rule) => JSON.parse(String(rule.event_pattern)));
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
        { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
      ]),
    );
    expect(patterns).toHaveLength(Object.keys(KARPENTER_INTERRUPTION_EVENTS).length);
    const queue = Object.values(resourcesOf(compute, SqsQueue))[0]!;
    expect(queue).toMatchObject({ sqs_managed_sse_enabled: true, message_retention_seconds: 300 });
    expect(queue.name).toBe('sandbox-karpenter');
    expect(interruptionQueuePolicy('arn:q')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EventBridgeAndSqsOnly', Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] }, Action: 'sqs:SendMessage', Resource: 'arn:q' },
        { Sid: 'DenyHTTP', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: 'arn:q', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    });
  });

  test('nodes join through an EC2_LINUX access entry; the controller through Pod Identity', () => {
    expect(compute).toHaveResourceWithProperties(EksAccessEntry, { type: 'EC2_LINUX' });
    expect(compute).toHaveResourceWithProperties(EksPodIdentityAssociation, { namespace: 'kube-system', service_account: 'karpenter' });
  });

  test('the controller policy is scoped to this cluster', () => {
    const policy = karpenterControllerPolicy({ clusterName: 'sandbox', region: 'us-west-2', accountId: '111111111111', nodeRoleArn: 'arn:node', queueArn: 'arn:queue' }) as {
      Statement: Array<{ Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }>;
    };
    const sid = (name: string) => policy.Statement.find((statement) => statement.Sid === name)!;
    expect(sid('AllowScopedDeletion').Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/sandbox': 'owned' },
      StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
    });
    expect(sid('AllowPassingInstanceRole')).toMatchObject({ Resource: 'arn:node' });
    expect(sid('AllowRegionalReadActions').Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-west-2' } });
    expect(sid('AllowAPIServerEndpointDiscovery').Resource).toBe('arn:aws:eks:us-west-2:111111111111:cluster/sandbox');
    // Writes on "*" would be CKV_AWS_290/355 findings: only reads use it.
    for (const statement of policy.Statement.filter((s) => s.Resource === '*')) {
      expect([statement.Action].flat().every((action) => /^(ec2:Describe|pricing:Get|iam:ListInstanceProfiles$)/.test(action)), statement.Sid).toBe(true);
    }
  });
});

describe('Karpenter in the cluster', () => {
  test.each([
    { scenario: 'Cilium', overrides: {}, startupTaints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }] },
    {
      scenario: 'Fargate (VPC CNI)',
      overrides: { enable_fargate: true, fargate_profiles: [{ name: 'batch', selectors: [{ namespace: 'batch' }] }], platform: {} },
      startupTaints: [],
    },
  ])('$scenario: NodePool startup taints', ({ overrides, startupTaints }) => {
    const { platform } = synthPlatform(sandboxConfig(overrides));
    const release = resourcesOf(Testing.synth(platform.platform!), Release)['karpenter-node-pools']!;
    const values = parse((release.values as string[])[0]!) as { nodePools: Array<{ name: string; startupTaints: unknown[] }>; nodeClass: Record<string, unknown> };
    expect(values.nodePools.map((pool) => [pool.name, pool.startupTaints])).toEqual([['general', startupTaints]]);
    expect(values.nodeClass).toMatchObject({ amiAlias: 'al2023@latest', discoveryTag: 'sandbox', maxPods: null });
    expect(release.depends_on).toEqual(['helm_release.karpenter']);
  });

  test('the controller stays on the managed node group and counts ENIs like Cilium', () => {
    const { platform } = synthPlatform(sandboxConfig());
    const controller = resourcesOf(Testing.synth(platform.platform!), Release).karpenter!;
    expect(controller).toMatchObject({ repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.11.1', namespace: 'kube-system' });
    const values = parse((controller.values as string[])[0]!) as { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: unknown } } }; settings: object };
    expect(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'eks.amazonaws.com/nodegroup', operator: 'Exists' },
          { key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' },
        ],
      },
    ]);
    expect(values.settings).toMatchObject({ clusterName: 'sandbox', reservedENIs: '0' });
  });

  test('a GPU pool: p/g families, nvidia.com/gpu taint, limits and consolidation from config', () => {
    const pool = nodePoolValues(
      'gpu',
      { capacity_types: ['on-demand'], instance_categories: [], instance_families: ['g5'], cpu_limit: 64, memory_limit_gib: 256, consolidation_policy: 'WhenEmpty', consolidate_after: '10m' },
      { ciliumEnabled: true, gpu: true },
    );
    expect(pool).toEqual({
      name: 'gpu',
      labels: { 'platform/node-pool': 'gpu' },
      requirements: [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
        { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] },
        { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
      ],
      startupTaints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }],
      taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
      limits: { cpu: 64, memory: '256Gi' },
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m' },
    });
  });

  test('prefix delegation or overlay: one max-pods figure fits every type and is set on the EC2NodeClass', () => {
    const { platform } = synthPlatform(sandboxConfig({ cilium: { gateway_api: true, prefix_delegation: true } }));
    const values = parse((resourcesOf(Testing.synth(platform.platform!), Release)['karpenter-node-pools']!.values as string[])[0]!) as { nodeClass: { maxPods: number } };
    expect(values.nodeClass.maxPods).toBe(110);
  });
});
