import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { App, Testing, TerraformStack } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConfigError, parseEnvironmentConfig } from '../src/config/load.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { karpenterNodePool, NODE_POOL_OPERATORS } from '../src/karpenter/node-pools.js';
import { ManifestChart } from '../src/kubernetes/manifest-chart.js';
import { crdRuleInventory } from '../src/kubernetes/crd-schema.js';
import { resourcesOf } from '../testing/index.js';
import { applyPolicies } from '../src/app/run-app.js';
import { GENERAL_POOL, SANDBOX_YAML } from './fixtures.js';

/** The sandbox file with its karpenter block replaced: lines before it stay those of the sandbox (karpenter: is line 61). */
function withKarpenter(block: string): string {
  const start = SANDBOX_YAML.indexOf('\nkarpenter:\n') + 1;
  const end = SANDBOX_YAML.indexOf('\nlog_retention_days:');
  return `${SANDBOX_YAML.slice(0, start)}${block.trimEnd()}\n${SANDBOX_YAML.slice(end)}`;
}

const THREE_POOLS = `karpenter:
  enabled: true
  general:
    capacity_types: [spot]
    instance_categories: [c, m, r]
    cpu_limit: 32
    memory_limit_gib: 128
    consolidation_policy: WhenEmptyOrUnderutilized
    consolidate_after: 30s
  gpu:
    capacity_types: [on-demand]
    instance_families: [g5]
    cpu_limit: 16
    memory_limit_gib: 64
    consolidation_policy: WhenEmpty
    consolidate_after: 10m
  node_pools:
    - name: arm-spot
      capacity_types: [spot]
      instance_families: [m7g, c7g]
      architectures: [arm64]
      cpu_limit: 64
      memory_limit_gib: 256
      requirements:
        - key: karpenter.k8s.aws/instance-cpu
          operator: Gte
          values: ["4"]
        - key: topology.kubernetes.io/zone
          operator: In
          values: [us-west-2a, us-west-2b]
          min_values: 2
      taints:
        - key: example.com/arm-only
          value: "true"
          effect: NoSchedule
      labels:
        example.com/team: batch
      weight: 10
      consolidation_policy: WhenEmptyOrUnderutilized
      consolidate_after: 5m
      disruption_budgets:
        - nodes: "20%"
        - nodes: "0"
          schedule: "0 9 * * mon-fri"
          duration: 8h
          reasons: [Underutilized]
`;

/** The problems of a config that must be refused, each `file:line:col: field: message`. */
function refusal(text: string): string[] {
  try {
    parseEnvironmentConfig(text, 'pools.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return expect.unreachable('the config was accepted');
}

/** A node_pools entry (lines 63 on) after a general pool of defaults. */
const onePool = (entry: string) => withKarpenter(`karpenter:\n  enabled: true\n  node_pools:\n${entry}`);

/** The platform stack of a config synthesized to disk: the node-pools chart's objects, the manifest's annotations and the policy report. */
function synthNodePools(text: string) {
  const app = Testing.app();
  const platform = new EnvironmentPlatform(app, planPlatform(parseEnvironmentConfig(text, 'pools.yaml')));
  const policies = applyPolicies(app);
  const stack = platform.platform;
  const outdir = Testing.fullSynth(stack);
  const stackDir = join(outdir, 'stacks', stack.node.id);
  const releases = resourcesOf(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'), Release);
  const chartDir = join(stackDir, String(releases['karpenter-node-pools']!.chart));
  const files = readdirSync(join(chartDir, 'templates')).sort();
  const objects = files.map((file) => parse(readFileSync(join(chartDir, 'templates', file), 'utf8')) as Record<string, unknown>);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { annotations: Array<{ level: string; constructPath: string; message: string }> }> };
  return { platform, files, objects, annotations: manifest.stacks[stack.node.id]!.annotations, policyReport: policies.report() };
}

const STARTUP_TAINT = { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoExecute' };
const NODE_CLASS_REF = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' };
const ENI_OWN = (families: string[], archs: string[], capacity: string[]) => [
  { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacity },
  { key: 'kubernetes.io/arch', operator: 'In', values: archs },
  { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
  { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: families },
  { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
  { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['nano', 'micro', 'small', 'medium'] },
];

describe('karpenter.node_pools: NodePools beside general and gpu', () => {
  const three = synthNodePools(withKarpenter(THREE_POOLS));

  test('a config with general, gpu and an arm64 spot pool synthesizes exactly these NodePools, in that order', () => {
    expect(three.files).toEqual(['01-ec2nodeclass-default.yaml', '02-nodepool-general.yaml', '03-nodepool-gpu.yaml', '04-nodepool-arm-spot.yaml']);
    expect(three.objects.slice(1)).toEqual([
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'general' },
        spec: {
          template: {
            metadata: { labels: { 'platform/node-pool': 'general' } },
            spec: {
              nodeClassRef: NODE_CLASS_REF,
              requirements: ENI_OWN(['m5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'r5', 'r6i', 'r7i'], ['amd64'], ['spot']),
              startupTaints: [STARTUP_TAINT],
            },
          },
          limits: { cpu: 32, memory: '128Gi' },
          disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '30s' },
        },
      },
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'gpu' },
        spec: {
          template: {
            metadata: { labels: { 'platform/node-pool': 'gpu' } },
            spec: {
              nodeClassRef: NODE_CLASS_REF,
              requirements: ENI_OWN(['g5'], ['amd64'], ['on-demand']),
              startupTaints: [STARTUP_TAINT],
              taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
            },
          },
          limits: { cpu: 16, memory: '64Gi' },
          disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m' },
        },
      },
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'arm-spot' },
        spec: {
          weight: 10,
          template: {
            metadata: { labels: { 'platform/node-pool': 'arm-spot', 'example.com/team': 'batch' } },
            spec: {
              nodeClassRef: NODE_CLASS_REF,
              requirements: [
                ...ENI_OWN(['m7g', 'c7g'], ['arm64'], ['spot']),
                { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['4'] },
                { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-west-2a', 'us-west-2b'], minValues: 2 },
              ],
              startupTaints: [STARTUP_TAINT],
              taints: [{ key: 'example.com/arm-only', value: 'true', effect: 'NoSchedule' }],
            },
          },
          limits: { cpu: 64, memory: '256Gi' },
          disruption: {
            consolidationPolicy: 'WhenEmptyOrUnderutilized',
            consolidateAfter: '5m',
            budgets: [{ nodes: '20%' }, { nodes: '0', schedule: '0 9 * * mon-fri', duration: '8h', reasons: ['Underutilized'] }],
          },
        },
      },
    ]);
  });

  test('the IP budget counts every pool, with its own requirements (instance-cpu Gte 4: no .large of the arm64 pool)', () => {
    const sources = three.platform.plan.ipBudget!.zones[0]!.sources;
    expect(sources.map((source) => source.label)).toEqual(['node_groups[0] (system)', 'node_groups[1] (spot-workers)', 'karpenter.general', 'karpenter.gpu', 'karpenter.node_pools[0] (arm-spot)']);
    // 64 vCPUs of its smallest admitted type (4 vCPUs: m7g.xlarge or c7g.xlarge), spread over the zones.
    const arm = sources.find((source) => source.label === 'karpenter.node_pools[0] (arm-spot)')!;
    expect(arm.instanceType).toMatch(/^(m7g|c7g)\.xlarge$/);
    expect(arm.nodes).toBe(Math.ceil(16 / three.platform.plan.network.availabilityZones.length));
  });

  test('synth reports the CEL rules it could not check, per object, as an info annotation: never counted as held', () => {
    expect(three.annotations).toEqual([
      {
        constructPath: `${three.platform.platform.node.id}/karpenter-node-pools-chart`,
        level: '@cdktf/info',
        message: [
          'CEL rules (x-kubernetes-validations) of the pinned CRDs: 3 not checked at synth; the API server checks them when the objects are applied',
          '  EC2NodeClass/default: 31 of 54 evaluated and held, 0 not checked, 23 not applicable (field not set)',
          '  NodePool/general: 16 of 20 evaluated and held, 3 not checked, 1 not applicable (field not set)',
          '  NodePool/gpu: 16 of 20 evaluated and held, 3 not checked, 1 not applicable (field not set)',
          '  NodePool/arm-spot: 17 of 20 evaluated and held, 3 not checked, 0 not applicable (field not set)',
          '  not checked: spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster): NodePool/general, NodePool/gpu, NodePool/arm-spot',
          '  not checked: spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster): NodePool/general, NodePool/gpu, NodePool/arm-spot',
          '  not checked: spec.template.spec.nodeClassRef: self.kind == oldSelf.kind (a transition rule: it compares with the object already in the cluster): NodePool/general, NodePool/gpu, NodePool/arm-spot',
        ].join('\n'),
      },
    ]);
  });
});

describe('the CEL rules synth cannot check are in the policy report, per object: never passed', () => {
  test('policy-report.json notChecked: one entry per NodePool with its 3 transition rules; the EC2NodeClass, all evaluated, has none', () => {
    const three = synthNodePools(withKarpenter(THREE_POOLS));
    const stack = three.platform.platform.node.id;
    const transitionRules = [
      'spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster)',
      'spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster)',
      'spec.template.spec.nodeClassRef: self.kind == oldSelf.kind (a transition rule: it compares with the object already in the cluster)',
    ];
    const entry = (object: string, evaluatedAndHeld: number, notApplicable: number) => ({
      stack,
      resource: 'helm_release.karpenter-node-pools',
      object,
      checks: 'CEL rules (x-kubernetes-validations) of the pinned CRD',
      rules: { total: 20, evaluatedAndHeld, notChecked: 3, notApplicable },
      rulesNotChecked: transitionRules,
      checkedBy: 'the API server, when the object is applied',
    });
    expect(three.policyReport.notChecked).toEqual([entry('NodePool/general', 16, 1), entry('NodePool/gpu', 16, 1), entry('NodePool/arm-spot', 17, 0)]);
    // Not a finding: nothing passed or failed.
    expect(three.policyReport.findings.filter((finding) => finding.resource === 'helm_release.karpenter-node-pools')).toEqual([]);
  });

  test('without Karpenter the report has no notChecked key', () => {
    const off = Testing.app();
    new EnvironmentPlatform(off, planPlatform(parseEnvironmentConfig(withKarpenter('karpenter:\n  enabled: false\n'), 'pools.yaml')));
    const policies = applyPolicies(off);
    off.synth();
    expect(policies.report().summary.errors).toBe(0);
    expect(policies.report()).not.toHaveProperty('notChecked');
  });
});

describe('CEL rules of the pinned CRDs (karpenter 1.14.1)', () => {
  test('NodePool: 20 rules, 17 evaluated by cel-js, 3 transition rules not checked; EC2NodeClass: 54 rules, all evaluated', () => {
    const nodePool = crdRuleInventory('karpenter.sh/v1', 'NodePool')!;
    expect(nodePool).toEqual({
      total: 20,
      evaluable: 17,
      notCheckable: [
        'spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster)',
        'spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster)',
        'spec.template.spec.nodeClassRef: self.kind == oldSelf.kind (a transition rule: it compares with the object already in the cluster)',
      ],
    });
    expect(crdRuleInventory('karpenter.k8s.aws/v1', 'EC2NodeClass')).toEqual({ total: 54, evaluable: 54, notCheckable: [] });
  });

  test('the config\'s requirement operators are the CRD\'s enum', () => {
    const schema = JSON.parse(readFileSync(new URL('../reference/crds/karpenter-1.14.1/nodepools.karpenter.sh.v1.json', import.meta.url), 'utf8')) as {
      openAPIV3Schema: { properties: { spec: { properties: { template: { properties: { spec: { properties: { requirements: { items: { properties: { operator: { enum: string[] } } } } } } } } } } } };
    };
    const operators = schema.openAPIV3Schema.properties.spec.properties.template.properties.spec.properties.requirements.items.properties.operator.enum;
    expect([...NODE_POOL_OPERATORS].sort()).toEqual([...operators].sort());
  });
});

describe('bad pools are refused at config load with file, line and field', () => {
  test.each([
    [
      'a duplicate name',
      '    - name: batch\n    - name: batch\n',
      ['pools.yaml:65:13: karpenter.node_pools[1].name: "batch" is used twice (also karpenter.node_pools[0]): NodePool names are unique'],
    ],
    [
      'GPU families in a pool without gpu, and a GPU pool without GPU families',
      '    - name: batch\n      instance_families: [g5]\n    - name: spot-gpu\n      gpu: true\n',
      [
        'pools.yaml:65:27: karpenter.node_pools[0].instance_families[0]: "g5" has NVIDIA GPUs: set gpu: true on this pool (tainted nvidia.com/gpu) or use karpenter.gpu',
        'pools.yaml:66:7: karpenter.node_pools[1].instance_families: must list NVIDIA GPU families (such as [g5, g6]) when gpu is true',
      ],
    ],
    [
      'a weight outside 1-100',
      '    - name: batch\n      weight: 0\n    - name: other\n      weight: 101\n',
      [
        'pools.yaml:65:15: karpenter.node_pools[0].weight: 0 must be from 1 to 100 (Karpenter tries pools of higher weight first)',
        'pools.yaml:67:15: karpenter.node_pools[1].weight: 101 must be from 1 to 100 (Karpenter tries pools of higher weight first)',
      ],
    ],
    [
      'an operator the CRD does not know',
      '    - name: batch\n      requirements:\n        - key: karpenter.k8s.aws/instance-cpu\n          operator: GreaterThan\n          values: ["4"]\n',
      ['pools.yaml:67:21: karpenter.node_pools[0].requirements[0].operator: "GreaterThan" is not allowed (allowed: In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte)'],
    ],
    [
      'requirements on keys the pool\'s fields own, a Gt without one integer, an Exists with values',
      '    - name: batch\n      requirements:\n        - key: kubernetes.io/arch\n          operator: In\n          values: [arm64]\n        - key: karpenter.k8s.aws/instance-cpu\n          operator: Gt\n          values: ["four"]\n        - key: kubernetes.io/os\n          operator: Exists\n          values: [linux]\n',
      [
        'pools.yaml:66:16: karpenter.node_pools[0].requirements[0].key: "kubernetes.io/arch" is set by the pool\'s field architectures; use that field',
        'pools.yaml:71:19: karpenter.node_pools[0].requirements[1].values: must be one non-negative integer with operator Gt, such as ["4"]',
        'pools.yaml:72:16: karpenter.node_pools[0].requirements[2].key: "kubernetes.io/os" is set by the platform: every pool runs AL2023 Linux (kubernetes.io/os In [linux])',
        'pools.yaml:74:19: karpenter.node_pools[0].requirements[2].values: must be empty with operator Exists',
      ],
    ],
    [
      'the platform\'s own node label',
      '    - name: batch\n      labels:\n        platform/node-pool: other\n',
      ['pools.yaml:66:29: karpenter.node_pools[0].labels["platform/node-pool"]: is set by the platform to the pool\'s name ("batch")'],
    ],
    [
      'the Cilium startup taint as a pool taint',
      '    - name: batch\n      taints:\n        - key: node.cilium.io/agent-not-ready\n          effect: NoExecute\n',
      ['pools.yaml:66:16: karpenter.node_pools[0].taints[0].key: "node.cilium.io/agent-not-ready" is the startup taint the platform sets on every pool whenever Cilium runs; Cilium removes it once its agent is ready'],
    ],
  ])('%s', (_name, entry, problems) => {
    expect(refusal(onePool(entry))).toEqual(problems);
  });
});

describe('a NodePool that breaks a CEL rule of the pinned CRD is refused', () => {
  test.each([
    [
      'a requirement on kubernetes.io/hostname',
      '    - name: batch\n      requirements:\n        - key: kubernetes.io/hostname\n          operator: In\n          values: [node-a]\n',
      ['pools.yaml:66:11: karpenter.node_pools[0].requirements[0]: NodePool "batch" breaks a CEL rule of the pinned NodePool CRD (karpenter.sh/v1, Karpenter 1.14.1): spec.template.spec.requirements[6].key: label "kubernetes.io/hostname" is restricted'],
    ],
    [
      'minValues above the number of values',
      '    - name: batch\n      requirements:\n        - key: karpenter.k8s.aws/instance-size\n          operator: In\n          values: [xlarge]\n          min_values: 2\n',
      ["pools.yaml:66:9: karpenter.node_pools[0].requirements: NodePool \"batch\" breaks a CEL rule of the pinned NodePool CRD (karpenter.sh/v1, Karpenter 1.14.1): spec.template.spec.requirements: requirements with 'minValues' must have at least that many values specified in the 'values' field"],
    ],
    [
      'an In requirement without values',
      '    - name: batch\n      requirements:\n        - key: topology.kubernetes.io/zone\n          operator: In\n',
      ["pools.yaml:66:9: karpenter.node_pools[0].requirements: NodePool \"batch\" breaks a CEL rule of the pinned NodePool CRD (karpenter.sh/v1, Karpenter 1.14.1): spec.template.spec.requirements: requirements with operator 'In' must have a value defined"],
    ],
    [
      'a budget with a schedule and no duration',
      '    - name: batch\n      disruption_budgets:\n        - nodes: "0"\n          schedule: "@daily"\n',
      ["pools.yaml:66:9: karpenter.node_pools[0].disruption_budgets: NodePool \"batch\" breaks a CEL rule of the pinned NodePool CRD (karpenter.sh/v1, Karpenter 1.14.1): spec.disruption.budgets: 'schedule' must be set with 'duration'"],
    ],
    [
      'a label in the karpenter.sh domain',
      '    - name: batch\n      labels:\n        karpenter.sh/team: batch\n',
      ['pools.yaml:66:9: karpenter.node_pools[0].labels: NodePool "batch" breaks a CEL rule of the pinned NodePool CRD (karpenter.sh/v1, Karpenter 1.14.1): spec.template.metadata.labels: label domain "karpenter.sh" is restricted'],
    ],
  ])('at config load, naming the pool, the field and the rule\'s message: %s', (_name, entry, problems) => {
    expect(refusal(onePool(entry))).toEqual(problems);
  });

  test('karpenter.general breaks one the same way', () => {
    const text = withKarpenter('karpenter:\n  enabled: true\n  general:\n    labels:\n      karpenter.k8s.aws/team: x\n');
    expect(refusal(text)).toEqual([
      'pools.yaml:65:7: karpenter.general.labels: NodePool "general" breaks a CEL rule of the pinned NodePool CRD (karpenter.sh/v1, Karpenter 1.14.1): spec.template.metadata.labels: label domain "karpenter.k8s.aws" is restricted',
    ]);
  });

  test('at synth, by the node-pools chart, for a pool a library caller builds: the pool, the field path and the rule\'s message', () => {
    const pool = karpenterNodePool({ ...GENERAL_POOL, name: 'custom', requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['other'] }] }, { ciliumEnabled: true, ciliumEni: true });
    expect(() => new ManifestChart(new TerraformStack(new App(), 's'), 'c', { name: 'karpenter-node-pools', description: 'd', objects: [pool] })).toThrow(
      [
        'karpenter-node-pools chart: objects the pinned upstream schemas reject:',
        '  NodePool/custom: spec.template.spec.requirements[6].key: label "karpenter.sh/nodepool" is restricted',
      ].join('\n'),
    );
  });
});

describe('general and gpu are the default entries of the pool list: removed with enabled: false, replaced by an entry of their name', () => {
  const poolsOf = (block: string) => planPlatform(parseEnvironmentConfig(withKarpenter(block), 'pools.yaml'));

  test('general: enabled: false removes the general NodePool: only the list\'s pools are synthesized, counted by the IP budget and maxPods', () => {
    const synth = synthNodePools(withKarpenter('karpenter:\n  enabled: true\n  general:\n    enabled: false\n  node_pools:\n    - name: batch\n      instance_families: [m6i]\n      cpu_limit: 16\n'));
    expect(synth.files).toEqual(['01-ec2nodeclass-default.yaml', '02-nodepool-batch.yaml']);
    expect(synth.objects.map((object) => (object['metadata'] as { name: string }).name)).toEqual(['default', 'batch']);
    const plan = synth.platform.plan;
    expect(plan.ipBudget!.zones[0]!.sources.map((source) => source.label)).toEqual(['node_groups[0] (system)', 'node_groups[1] (spot-workers)', 'karpenter.node_pools[0] (batch)']);
    // m6i only (ENI mode, no prefix delegation): m6i.large holds 28 pods; general's c5.large (28) and r5.large (28) no longer count.
    expect(plan.features.karpenter!.nodeClass.maxPods).toBe(28);
    expect(synth.annotations[0]!.message.split('\n').filter((line) => line.startsWith('  NodePool/'))).toEqual(['  NodePool/batch: 16 of 20 evaluated and held, 3 not checked, 1 not applicable (field not set)']);
  });

  test('a node_pools entry named general replaces the default general pool, in its place in the list', () => {
    const plan = poolsOf('karpenter:\n  enabled: true\n  node_pools:\n    - name: batch\n    - name: general\n      capacity_types: [on-demand]\n      instance_families: [m7i]\n      cpu_limit: 8\n');
    expect(plan.features.karpenter!.pools.map((pool) => [pool.name, pool.source ?? null, pool.capacityTypes, pool.instanceFamilies, pool.cpuLimit])).toEqual([
      ['batch', 'karpenter.node_pools[0] (batch)', ['spot', 'on-demand'], [], 100],
      ['general', 'karpenter.node_pools[1] (general)', ['on-demand'], ['m7i'], 8],
    ]);
    expect(plan.ipBudget!.zones[0]!.sources.map((source) => source.label).slice(2)).toEqual(['karpenter.node_pools[0] (batch)', 'karpenter.node_pools[1] (general)']);
  });

  test('gpu: enabled: false keeps the settings out of the synth; an entry named gpu with gpu: true stands in for it', () => {
    const disabled = poolsOf('karpenter:\n  enabled: true\n  gpu:\n    enabled: false\n    instance_families: [g6]\n');
    expect(disabled.features.karpenter!.pools.map((pool) => pool.name)).toEqual(['general']);
    const replaced = poolsOf('karpenter:\n  enabled: true\n  gpu:\n    enabled: false\n  node_pools:\n    - name: gpu\n      gpu: true\n      instance_families: [g6]\n      capacity_types: [on-demand]\n');
    expect(replaced.features.karpenter!.pools.map((pool) => [pool.name, pool.gpu, pool.instanceFamilies, pool.source ?? null])).toEqual([
      ['general', false, [], null],
      ['gpu', true, ['g6'], 'karpenter.node_pools[0] (gpu)'],
    ]);
  });

  test('an existing config reads as before: general written or left out, gpu set, node_pools after them', () => {
    expect(poolsOf('karpenter:\n  enabled: true\n').features.karpenter!.pools.map((pool) => [pool.name, pool.capacityTypes, pool.instanceCategories, pool.cpuLimit])).toEqual([
      ['general', ['spot', 'on-demand'], ['c', 'm', 'r'], 100],
    ]);
  });

  test.each([
    [
      'an entry named general while karpenter.general is configured too',
      'karpenter:\n  enabled: true\n  general:\n    cpu_limit: 8\n  node_pools:\n    - name: general\n',
      ['pools.yaml:66:13: karpenter.node_pools[0].name: "general" replaces the default pool karpenter.general, which this file also configures: move its settings into this entry and remove karpenter.general (or set karpenter.general.enabled: false), or choose another name'],
    ],
    [
      'an entry named gpu while karpenter.gpu is set, and one named general with gpu: true',
      'karpenter:\n  enabled: true\n  gpu:\n    instance_families: [g5]\n  node_pools:\n    - name: gpu\n      gpu: true\n      instance_families: [g6]\n    - name: general\n      gpu: true\n      instance_families: [g6]\n',
      [
        'pools.yaml:66:13: karpenter.node_pools[0].name: "gpu" replaces the default pool karpenter.gpu, which this file also configures: move its settings into this entry and remove karpenter.gpu (or set karpenter.gpu.enabled: false), or choose another name',
        'pools.yaml:70:12: karpenter.node_pools[1].gpu: must be false on the entry named "general": it replaces the general pool, whose nodes run untainted workloads; give the GPU pool another name',
      ],
    ],
    [
      'an entry named gpu that is no GPU pool',
      'karpenter:\n  enabled: true\n  node_pools:\n    - name: gpu\n      instance_families: [m6i]\n',
      ['pools.yaml:64:13: karpenter.node_pools[0].name: "gpu" names the GPU pool (its nodes labelled platform/node-pool=gpu): an entry of that name replaces karpenter.gpu and needs gpu: true (NVIDIA families, tainted nvidia.com/gpu); or choose another name'],
    ],
    [
      'a requirement asking for GPUs in a pool without gpu (general and a list entry); one in a GPU pool and one excluding GPUs pass',
      'karpenter:\n  enabled: true\n  general:\n    requirements:\n      - key: karpenter.k8s.aws/instance-gpu-count\n        operator: Gt\n        values: ["0"]\n      - key: karpenter.k8s.aws/instance-gpu-name\n        operator: DoesNotExist\n  gpu:\n    requirements:\n      - key: karpenter.k8s.aws/instance-gpu-manufacturer\n        operator: In\n        values: [nvidia]\n  node_pools:\n    - name: batch\n      requirements:\n        - key: karpenter.k8s.aws/instance-gpu-name\n          operator: Exists\n',
      [
        'pools.yaml:65:14: karpenter.general.requirements[0].key: "karpenter.k8s.aws/instance-gpu-count" with Gt asks for GPU instances, which karpenter.general never launches (no gpu: true, no GPU families): put it in a GPU pool (karpenter.gpu or an entry with gpu: true)',
        'pools.yaml:78:16: karpenter.node_pools[0].requirements[0].key: "karpenter.k8s.aws/instance-gpu-name" with Exists asks for GPU instances, which karpenter.node_pools[0] never launches (no gpu: true, no GPU families): put it in a GPU pool (karpenter.gpu or an entry with gpu: true)',
      ],
    ],
    [
      'a requirement asking for Neuron accelerators, in any pool; one excluding them passes',
      'karpenter:\n  enabled: true\n  general:\n    requirements:\n      - key: karpenter.k8s.aws/instance-accelerator-count\n        operator: DoesNotExist\n  gpu:\n    requirements:\n      - key: karpenter.k8s.aws/instance-accelerator-name\n        operator: In\n        values: [inferentia2]\n',
      ['pools.yaml:69:14: karpenter.gpu.requirements[0].key: "karpenter.k8s.aws/instance-accelerator-name" with In asks for AWS Neuron instances (Inferentia, Trainium), which no Karpenter pool launches: run them in a managed node group (tainted aws.amazon.com/neuron)'],
    ],
    [
      'Karpenter on with no pool left',
      'karpenter:\n  enabled: true\n  general:\n    enabled: false\n  gpu:\n    enabled: false\n',
      ['pools.yaml:64:14: karpenter.general.enabled: false leaves no NodePool while karpenter.enabled is true: add an entry to karpenter.node_pools, keep general, or set karpenter.enabled: false'],
    ],
  ])('refused at config load: %s', (_name, block, problems) => {
    expect(refusal(withKarpenter(block))).toEqual(problems);
  });

  test('Karpenter off: general may be disabled without a pool left', () => {
    expect(poolsOf('karpenter:\n  enabled: false\n  general:\n    enabled: false\n').features.karpenter).toBeUndefined();
  });
});

test('the example of docs/KARPENTER.md is a valid karpenter block: it plans with its three NodePools', () => {
  const doc = readFileSync(new URL('../../../docs/KARPENTER.md', import.meta.url), 'utf8');
  const example = /```yaml\n(karpenter:\n[\s\S]*?)```/.exec(doc)![1]!;
  const plan = planPlatform(parseEnvironmentConfig(withKarpenter(example), 'docs/KARPENTER.md'));
  expect(plan.features.karpenter!.pools.map((pool) => [pool.name, pool.source ?? null, pool.weight ?? null])).toEqual([
    ['general', null, null],
    ['gpu', null, null],
    ['arm-spot', 'karpenter.node_pools[0] (arm-spot)', 10],
  ]);
});

test('the replacement example of docs/KARPENTER.md plans with exactly its two list entries, gpu a GPU pool', () => {
  const doc = readFileSync(new URL('../../../docs/KARPENTER.md', import.meta.url), 'utf8');
  const examples = [...doc.matchAll(/```yaml\n(karpenter:\n[\s\S]*?)```/g)].map((match) => match[1]!);
  expect(examples).toHaveLength(2);
  const plan = planPlatform(parseEnvironmentConfig(withKarpenter(examples[1]!), 'docs/KARPENTER.md'));
  expect(plan.features.karpenter!.pools.map((pool) => [pool.name, pool.source ?? null, pool.gpu, pool.instanceFamilies, pool.cpuLimit])).toEqual([
    ['gpu', 'karpenter.node_pools[0] (gpu)', true, ['g6'], 32],
    ['batch', 'karpenter.node_pools[1] (batch)', false, ['m7i', 'c7i'], 64],
  ]);
});

test('consolidate_after takes what the NodePool CRD takes: compound durations and Never', () => {
  const plan = planPlatform(parseEnvironmentConfig(onePool('    - name: batch\n      consolidate_after: 1h30m\n    - name: pinned\n      consolidate_after: Never\n'), 'pools.yaml'));
  expect(plan.features.karpenter!.pools.map((pool) => pool.consolidateAfter)).toEqual(['1m', '1h30m', 'Never']);
  expect(refusal(onePool('    - name: batch\n      consolidate_after: 1d\n'))).toEqual(['pools.yaml:65:26: karpenter.node_pools[0].consolidate_after: "1d" must be a duration such as 30s, 5m or 1h30m, or Never']);
});

test('the EC2NodeClass maxPods follows what the pools may launch, their own requirements included: large and up when a pool asks for 8 vCPUs or more', () => {
  const plan = (entry: string) => planPlatform(parseEnvironmentConfig(withKarpenter(`karpenter:\n  enabled: true\n  general:\n    instance_families: [m6i]\n${entry}`), 'pools.yaml'));
  // ENI mode without prefix delegation: m6i.large holds 28 pods, m6i.2xlarge 57.
  expect(plan('').features.karpenter!.nodeClass.maxPods).toBe(28);
  const bigOnly = plan('    requirements:\n      - key: karpenter.k8s.aws/instance-cpu\n        operator: Gte\n        values: ["8"]\n');
  expect(bigOnly.features.karpenter!.nodeClass.maxPods).toBe(57);
});

test('an error in another karpenter field keeps no pool from being checked', () => {
  const text = withKarpenter('karpenter:\n  enabled: true\n  ami_alias: ubuntu\n  general:\n    instance_families: [g5]\n  node_pools:\n    - name: batch\n      weight: 0\n');
  expect(refusal(text)).toEqual([
    'pools.yaml:63:14: karpenter.ami_alias: "ubuntu" must be al2023@latest or al2023@vYYYYMMDD',
    'pools.yaml:68:15: karpenter.node_pools[0].weight: 0 must be from 1 to 100 (Karpenter tries pools of higher weight first)',
    'pools.yaml:65:25: karpenter.general.instance_families[0]: "g5" has NVIDIA GPUs: GPU families go in karpenter.gpu (tainted nvidia.com/gpu)',
    // The AMI alias is one of the components judged against the Kubernetes version (an existing rule).
    'pools.yaml:63:14: karpenter.ami_alias: not checked until it is valid: kubernetes_version is supported by every pinned component in use',
  ]);
});
