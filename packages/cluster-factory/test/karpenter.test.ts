import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { KARPENTER_INTERRUPTION_EVENTS, interruptionQueuePolicy, karpenterControllerPolicy } from '../src/karpenter/karpenter-infrastructure.js';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import { karpenterNodePool } from '../src/karpenter/node-pools.js';
import { KARPENTER_EXCLUDED_SIZES, karpenterMayLaunch, karpenterMaxPods } from '../src/karpenter/karpenter-capacity.js';
import {
  CILIUM_NODE_ADDRESSES,
  ciliumMaxPods,
  ciliumHostNetworkPods,
  maxPodsCap,
  vpcCniMaxPods,
} from '../src/capacity/max-pods.js';
import { INSTANCE_ENI_LIMITS, familiesInCategories } from '../src/capacity/instance-types.js';
import { CILIUM_ENI_NETWORKD_FILE, nodeUserData } from '../src/lib/private/node-user-data.js';
import { ConfigError } from '../src/config/load.js';
import type { EnvironmentConfig } from '../src/config/schema.js';
import { kubernetesObjectProblems } from '../src/kubernetes/validate.js';
import { crdSchemaProblems } from '../src/kubernetes/crd-schema.js';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';

// amazon-eks-ami's published figures, copied into the repository with their source and date.
const REFERENCE = new URL('./reference/eni-max-pods.txt', import.meta.url);

describe('pod capacity', () => {
  const eni = { mode: 'eni' as const, prefixDelegation: false, hostNetworkPods: 2 };

  test('with 2 host-network pods, uncapped, Cilium ENI mode (first interface 0) is the VPC CNI figure of amazon-eks-ami less Cilium\'s router and health addresses', () => {
    const reference = readFileSync(REFERENCE, 'utf8');
    const published = new Map(reference.split('\n').filter((line) => /^\S+ \d+$/.test(line)).map((line) => line.split(' ') as [string, string]));
    const compared = Object.keys(INSTANCE_ENI_LIMITS).filter((type) => published.has(type));
    // Every type of the table (Graviton, GPU and Neuron ones included) is in the published file.
    expect(Object.keys(INSTANCE_ENI_LIMITS).filter((type) => !published.has(type))).toEqual([]);
    expect(compared.length).toBeGreaterThan(250);
    for (const type of compared) {
      expect(vpcCniMaxPods(type), type).toBe(Number(published.get(type)));
      expect(ciliumMaxPods(type, eni, false), type).toBe(vpcCniMaxPods(type) - CILIUM_NODE_ADDRESSES);
    }
  });

  test.each([
    // type, ENI mode (agent, envoy, pod identity agent on the host network), with prefix delegation, overlay
    // ENI: ENIs x (IPv4 per ENI - 1) - 2 (Cilium router + health) + 3; m5.large: 3 x 9 - 2 + 3 = 28.
    ['t3.small', 10, 110, 110],
    ['t3.medium', 16, 110, 110],
    ['m7a.medium', 7, 97, 110],
    ['m5.large', 28, 110, 110],
    ['m6i.large', 28, 110, 110],
    ['m6i.xlarge', 57, 110, 110],
    ['c6i.4xlarge', 110, 110, 110],
    ['m6i.8xlarge', 233, 250, 110],
    ['m6i.24xlarge', 250, 250, 110],
  ])('%s: ENI %i, prefix delegation %i, overlay %i', (type, eniPods, prefixPods, overlayPods) => {
    const hostNetworkPods = ciliumHostNetworkPods({ l7Proxy: true, kubeProxyReplacement: true });
    expect(hostNetworkPods).toBe(3);
    expect(ciliumMaxPods(type, { mode: 'eni', prefixDelegation: false, hostNetworkPods })).toBe(eniPods);
    expect(ciliumMaxPods(type, { mode: 'eni', prefixDelegation: true, hostNetworkPods })).toBe(prefixPods);
    expect(ciliumMaxPods(type, { mode: 'overlay', prefixDelegation: false, hostNetworkPods })).toBe(overlayPods);
  });

  const generalFamilies = familiesInCategories(['c', 'm', 'r'], ['amd64']);
  test.each([
    // mode, prefix delegation, Karpenter maxPods for the sandbox general pool (c, m, r) and a GPU pool
    ['eni' as const, false, 28],
    ['eni' as const, true, 110],
    ['overlay' as const, false, 110],
  ])('Karpenter maxPods, %s mode, prefix delegation %s: %i, the smallest over every type the pools may launch', (mode, prefixDelegation, expected) => {
    const options = { mode, prefixDelegation, hostNetworkPods: 3 };
    const pools = [{ families: generalFamilies }, { families: ['g5', 'g6'] }];
    expect(karpenterMaxPods(options, pools)).toBe(expected);
    if (mode === 'eni') {
      const launchable = Object.keys(INSTANCE_ENI_LIMITS).filter((type) => pools.some((pool) => karpenterMayLaunch(type, pool)));
      expect(launchable).toEqual(expect.arrayContaining(['m5.large', 'c7i.large', 'g5.xlarge']));
      for (const type of launchable) expect(ciliumMaxPods(type, options), type).toBeGreaterThanOrEqual(expected);
    }
  });

  test('Karpenter pools skip the smallest sizes: with prefix delegation .medium types hold 97 pods, below the 110 set on every node', () => {
    const prefix = { mode: 'eni' as const, prefixDelegation: true, hostNetworkPods: 3 };
    expect(generalFamilies).toContain('m7a');
    expect(karpenterMayLaunch('m7a.medium', { families: generalFamilies })).toBe(false);
    expect(KARPENTER_EXCLUDED_SIZES).toEqual(['nano', 'micro', 'small', 'medium']);
    expect(ciliumMaxPods('m7a.medium', prefix)).toBe(97);
    expect(karpenterMaxPods(prefix, [{ families: generalFamilies }])).toBe(110);
  });

  test('Karpenter\'s own per-type figure (VPC CNI formula) is one pod too high with Cilium ENI mode, so the EC2NodeClass sets maxPods', () => {
    const options = { mode: 'eni' as const, prefixDelegation: false, hostNetworkPods: 3 };
    for (const type of ['m5.large', 'm6i.xlarge', 'c6i.2xlarge']) expect(vpcCniMaxPods(type), type).toBe(ciliumMaxPods(type, options, false) + 1);
  });

  test('a reserved first interface removes that ENI\'s addresses', () => {
    expect(ciliumMaxPods('m6i.large', { ...eni, firstInterfaceIndex: 1 }, false)).toBe(2 * 9 - 2 + 2);
    expect(maxPodsCap('m6i.large')).toBe(110);
    expect(maxPodsCap('m6i.8xlarge')).toBe(250);
  });

  test.each([
    { scenario: 'Cilium ENI', overrides: {}, maxPods: ['28', '28'], networkd: true },
    { scenario: 'Cilium overlay', overrides: { cilium_mode: 'overlay' }, maxPods: ['110', '110'], networkd: false },
  ])('$scenario: managed node groups get the smallest capacity of their types through nodeadm, and the ENI networkd file in ENI mode', ({ overrides, maxPods, networkd }) => {
    const { compute } = synthPlatform(sandboxConfig(overrides));
    const userData = Object.values(resourcesOf(compute, LaunchTemplate)).map((template) => Buffer.from(String(template.user_data), 'base64').toString());
    expect(userData.map((text) => /maxPods: (\d+)/.exec(text)?.[1])).toEqual(maxPods);
    for (const text of userData) {
      expect(text.includes(`cat > ${CILIUM_ENI_NETWORKD_FILE} <<EOF\n[Match]\nDriver=ena vif ixgbevf\nName=!$primary\n\n[Link]\nUnmanaged=yes\nEOF`)).toBe(networkd);
      expect(text).toBe(nodeUserData({ maxPods: Number(maxPods[0]), ciliumEni: networkd }));
    }
  });

  test('an instance type too small for the workload is warned about at synth', () => {
    const { platform } = synthPlatform(
      sandboxConfig({ node_groups: [{ name: 'tiny', instance_types: ['t3.small'], min_size: 1, max_size: 2, desired_size: 1 }] }),
    );
    const warnings = platform.compute.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => entry.data);
    expect(warnings).toEqual([
      'node_groups[0] (tiny): t3.small holds at most 10 pods with the Cilium eni datapath, fewer than min_pods_per_node 20; use a larger instance type or cilium.prefix_delegation',
    ]);
  });

  test('an unknown instance type is refused, saying where to add it', () => {
    expect(() => sandboxConfig({ node_groups: [{ name: 'xl', instance_types: ['m9z.large'] }] })).toThrow(ConfigError);
    try {
      sandboxConfig({ node_groups: [{ name: 'xl', instance_types: ['m9z.large'] }] });
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.replace(/^[^ ]+ /, ''))).toEqual([
        'node_groups[0].instance_types[0]: "m9z.large" is not in the instance table (docs/INSTANCE_TYPES.md; families: t3, t3a, m5, m5a, m6i, m6a, m7i, m7a, c5, c6i, c6a, c7i, r5, r6i, r7i, g5, g6, p4d, p5, t4g, m6g, m7g, m8g, c6g, c7g, c8g, r6g, r7g, r8g, g4dn, g5g, g6e, p4de, p5e, p5en, p6-b200, inf2, trn1, trn1n, trn2)',
      ]);
    }
  });
});

test.each([
  [{ general: { instance_families: ['m5n'] } }, 'karpenter.general.instance_families[0]: "m5n" is not in the instance table (docs/INSTANCE_TYPES.md; families: t3, t3a, m5, m5a, m6i, m6a, m7i, m7a, c5, c6i, c6a, c7i, r5, r6i, r7i, g5, g6, p4d, p5, t4g, m6g, m7g, m8g, c6g, c7g, c8g, r6g, r7g, r8g, g4dn, g5g, g6e, p4de, p5e, p5en, p6-b200, inf2, trn1, trn1n, trn2)'],
  [{ general: { instance_families: ['t3'] } }, 'karpenter.general.instance_families[0]: "t3" is generation 4 or older; Karpenter pools launch generation 5 and later'],
  [{ general: { instance_categories: ['x'] } }, 'karpenter.general.instance_categories[0]: "x" has no family in the instance table (docs/INSTANCE_TYPES.md; families: t3, t3a, m5, m5a, m6i, m6a, m7i, m7a, c5, c6i, c6a, c7i, r5, r6i, r7i, g5, g6, p4d, p5, t4g, m6g, m7g, m8g, c6g, c7g, c8g, r6g, r7g, r8g, g4dn, g5g, g6e, p4de, p5e, p5en, p6-b200, inf2, trn1, trn1n, trn2)'],
])('Karpenter pools only launch families whose ENI limits the project knows: %j is refused', (karpenter, message) => {
  try {
    sandboxConfig({ karpenter: { enabled: true, ...karpenter } });
    expect.unreachable('the config was accepted');
  } catch (error) {
    expect((error as ConfigError).problems.map((problem) => problem.replace(/^[^ ]+ /, ''))).toEqual([message]);
  }
});

describe('Karpenter on AWS', () => {
  const { compute } = synthPlatform(sandboxConfig());

  test('interruption handling: five rules with the exact detail-types AWS emits, into an SSE queue', () => {
    const patterns = Object.values(resourcesOf(compute, CloudwatchEventRule)).map((rule) => JSON.parse(String(rule.event_pattern)));
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
        { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'] },
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
    expect(sid('AllowZonalShiftStatusReadOnly').Condition).toEqual({ StringEquals: { 'arc-zonal-shift:ResourceIdentifier': 'arn:aws:eks:us-west-2:111111111111:cluster/sandbox' } });
    // Writes on "*" would be CKV_AWS_290/355 findings: only reads use it.
    for (const statement of policy.Statement.filter((s) => s.Resource === '*')) {
      expect([statement.Action].flat().every((action) => /^(ec2:Describe|pricing:Get|iam:ListInstanceProfiles$|arc-zonal-shift:GetManagedResource$)/.test(action)), statement.Sid).toBe(true);
    }
  });
});

/** The fields of the EC2NodeClass and NodePool documents the tests read. */
interface ChartObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    userData?: string;
    kubelet?: Record<string, unknown>;
    metadataOptions: Record<string, unknown>;
    template: { spec: { requirements: Array<{ key: string }>; startupTaints?: unknown } };
  };
}

/** The platform stack synthesized to disk, and the plain-YAML objects of the node-pools chart asset. */
function synthNodePoolsChart(overrides: Partial<Record<keyof EnvironmentConfig, unknown>> = {}) {
  const { platform } = synthPlatform(sandboxConfig(overrides));
  const stack = platform.platform!;
  const outdir = Testing.fullSynth(stack);
  const stackDir = join(outdir, 'stacks', stack.node.id);
  const releases = resourcesOf(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'), Release);
  const chartDir = join(stackDir, String(releases['karpenter-node-pools']!.chart));
  const files = readdirSync(join(chartDir, 'templates')).sort();
  const objects = files.map((file) => parse(readFileSync(join(chartDir, 'templates', file), 'utf8')) as ChartObject);
  return { releases, files, objects, texts: files.map((file) => readFileSync(join(chartDir, 'templates', file), 'utf8')) };
}

describe('Karpenter in the cluster', () => {
  const sandbox = synthNodePoolsChart();

  test('the chart asset holds the EC2NodeClass and NodePool as plain YAML that the v1.14.1 CRD schemas and the typed models accept', () => {
    expect(sandbox.files).toEqual(['01-ec2nodeclass-default.yaml', '02-nodepool-general.yaml']);
    expect(sandbox.texts.join('\n')).not.toMatch(/\{\{|\$\{/);
    expect(kubernetesObjectProblems(sandbox.objects)).toEqual([]);
    // The synth check of these kinds is the pinned CRD's (the models are v1.12.1's); the models accept them too.
    expect(() => new EC2NodeClass(sandbox.objects[0] as never).validate()).not.toThrow();
    expect(() => new NodePool({ ...(sandbox.objects[1] as object), spec: { oops: 1 } } as never).validate()).toThrow();
    expect(() => new NodePool(sandbox.objects[1] as never).validate()).not.toThrow();
    // Both kinds are checked against the committed upstream CRD, not only the models.
    for (const object of sandbox.objects) expect(crdSchemaProblems(object), object.kind).toEqual([]);
    expect(sandbox.releases['karpenter-node-pools']).toMatchObject({ namespace: 'kube-system', depends_on: ['helm_release.karpenter'] });
  });

  test('the EC2NodeClass: literal role, subnets and node group by discovery tag, the EKS cluster security group by its aws:eks:cluster-name tag, maxPods, ENI user data', () => {
    const nodeClass = sandbox.objects[0]!;
    expect(nodeClass).toEqual({
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: 'default' },
      spec: {
        role: 'sandbox-karpenter-node',
        amiSelectorTerms: [{ alias: 'al2023@v20260903' }],
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'sandbox' } }],
        securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'sandbox' } }, { tags: { 'aws:eks:cluster-name': 'sandbox' } }],
        metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
        kubelet: { maxPods: 28 },
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '50Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }],
        userData: nodeUserData({ ciliumEni: true }),
      },
    });
    expect(nodeClass.spec.userData).toContain(`cat > ${CILIUM_ENI_NETWORKD_FILE} <<EOF\n[Match]\nDriver=ena vif ixgbevf\nName=!$primary\n\n[Link]\nUnmanaged=yes\nEOF`);
    expect(nodeClass.spec.userData).not.toContain('NodeConfig');
  });

  test('the EC2NodeClass CRD check catches a misspelled field and a wrong type', () => {
    const nodeClass = structuredClone(sandbox.objects[0]!);
    nodeClass.spec.kubelet = { maxPod: 28 };
    nodeClass.spec.metadataOptions.httpPutResponseHopLimit = 'one';
    expect(crdSchemaProblems(nodeClass)).toEqual(['spec.metadataOptions.httpPutResponseHopLimit: Instance type "string" is invalid. Expected "integer".', 'spec.kubelet.maxPod: unknown field']);
  });

  test('the general NodePool in ENI mode: known families only, no size below large, the Cilium startup taint', () => {
    expect(sandbox.objects[1]).toEqual({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'general' },
      spec: {
        template: {
          metadata: { labels: { 'platform/node-pool': 'general' } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
              { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'r5', 'r6i', 'r7i'] },
              { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
              { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['nano', 'micro', 'small', 'medium'] },
            ],
            startupTaints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }],
          },
        },
        limits: { cpu: 32, memory: '128Gi' },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '30s' },
      },
    });
  });

  test.each([
    { scenario: 'prefix delegation', overrides: { cilium: { ...sandboxConfig().cilium, prefix_delegation: true } }, maxPods: 110, userData: true, category: false },
    { scenario: 'overlay', overrides: { cilium_mode: 'overlay' }, maxPods: 110, userData: false, category: true },
    {
      scenario: 'Fargate (VPC CNI)',
      overrides: { enable_fargate: true, fargate_profiles: [{ name: 'batch', selectors: [{ namespace: 'batch' }] }], platform: {} },
      maxPods: undefined,
      userData: false,
      category: true,
    },
  ])('$scenario: maxPods $maxPods, ENI user data $userData, pool by category $category', ({ overrides, maxPods, userData, category }) => {
    const { objects } = synthNodePoolsChart(overrides);
    expect(kubernetesObjectProblems(objects)).toEqual([]);
    const [nodeClass, general] = objects;
    expect(nodeClass!.spec.kubelet?.maxPods).toBe(maxPods);
    expect('userData' in nodeClass!.spec).toBe(userData);
    const keys = general!.spec.template.spec.requirements.map((requirement) => requirement.key);
    expect(keys.includes('karpenter.k8s.aws/instance-category')).toBe(category);
    expect(keys.includes('karpenter.k8s.aws/instance-size')).toBe(!category);
    expect(general!.spec.template.spec.startupTaints).toEqual(overrides.enable_fargate ? undefined : [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }]);
  });

  test('CRDs come from the karpenter-crd chart of the controller\'s version, so they upgrade; the controller chart skips its own', () => {
    const { releases } = sandbox;
    expect(releases['karpenter-crd']).toMatchObject({ name: 'karpenter-crd', repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter-crd', version: '1.14.1', namespace: 'kube-system' });
    expect(releases.karpenter).toMatchObject({ chart: 'karpenter', version: releases['karpenter-crd']!.version, skip_crds: true, depends_on: ['helm_release.karpenter-crd'] });
  });

  test('the controller stays on the managed node group and counts ENIs like Cilium', () => {
    const controller = sandbox.releases.karpenter!;
    expect(controller).toMatchObject({ repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.14.1', namespace: 'kube-system' });
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
    const pool = karpenterNodePool(
      { name: 'gpu', capacityTypes: ['on-demand'], instanceCategories: [], instanceFamilies: ['g5'], cpuLimit: 64, memoryLimitGib: 256, consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m', gpu: true },
      { ciliumEnabled: true, ciliumEni: true },
    );
    expect(kubernetesObjectProblems([pool])).toEqual([]);
    expect(pool.spec!.template.spec).toMatchObject({
      requirements: [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
        { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] },
        { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
        { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['nano', 'micro', 'small', 'medium'] },
      ],
      startupTaints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' }],
      taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
    });
    expect(pool.spec).toMatchObject({ limits: { cpu: 64, memory: '256Gi' }, disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m' } });
  });
});
