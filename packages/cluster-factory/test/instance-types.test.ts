import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { INSTANCE_DATA, INSTANCE_DATA_SOURCES } from '../src/capacity/instance-data.js';
import {
  KNOWN_INSTANCE_TYPES,
  SUPPORTED_INSTANCE_FAMILIES,
  familiesInCategories,
  familyCategoryAndGeneration,
  instanceAccelerator,
  instanceArchitecture,
  instanceVcpus,
} from '../src/capacity/instance-types.js';
import { ACCELERATOR_TAINTS, AL2023_AMI_TYPES, nodeGroupHardware } from '../src/capacity/ami-types.js';
import { GPU_TAINT, karpenterNodePool, karpenterPoolFamilies, type KarpenterPool } from '../src/karpenter/node-pools.js';
import { admittedInstanceTypes } from '../src/capacity/ip-budget.js';
import { ConfigError } from '../src/config/load.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { ciliumValues, valueKeyPaths } from '../src/features/cilium/values.js';
import { nodeUserData } from '../src/lib/private/node-user-data.js';
import { resourcesOf } from '../testing/index.js';
import { CILIUM_VALUES_INPUT, GENERAL_POOL, sandboxConfig, synthPlatform } from './fixtures.js';

/** The provider's accepted values, committed with their source (reference/aws-provider-5.100.0/). */
const referenceList = (file: string) =>
  readFileSync(new URL(`../reference/aws-provider-5.100.0/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'));

const problemsOf = (make: () => unknown): string[] => {
  try {
    make();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.replace(/^[^ ]+ /, ''));
    throw error;
  }
  return [];
};

describe('the instance table', () => {
  test('every type carries its ENI limits, vCPUs, memory and architecture; the sources are named with their dates', () => {
    expect(INSTANCE_DATA_SOURCES).toEqual({
      eniLimits: 'awslabs/amazon-eks-ami nodeadm/internal/kubelet/instance-info.jsonl (main, 2026-07-23)',
      resources: 'aws/karpenter-provider-aws tag v1.14.1 (commit bde00654cd316fddb3dccfba3f5ac07039865429, 2026-08-20), website/content/en/docs/reference/instance-types.md',
      derivedOn: '2026-12-05',
    });
    expect(KNOWN_INSTANCE_TYPES.length).toBeGreaterThan(250);
    for (const type of KNOWN_INSTANCE_TYPES) {
      const data = INSTANCE_DATA[type]!;
      expect(data.maxEnis, type).toBeGreaterThan(0);
      expect(data.vcpus, type).toBeGreaterThan(0);
      expect(data.memoryMib, type).toBeGreaterThan(0);
      expect(type, 'bare metal is left out').not.toMatch(/\.metal/);
    }
  });

  test.each([
    // type, arch, accelerator, vCPUs, memory MiB, GPUs or Neuron devices (Karpenter v1.14.1 labels)
    ['m6i.large', 'amd64', 'none', 2, 8192, 0],
    ['m7g.large', 'arm64', 'none', 2, 8192, 0],
    ['c8g.48xlarge', 'arm64', 'none', 192, 393216, 0],
    ['t4g.medium', 'arm64', 'none', 2, 4096, 0],
    ['g5.xlarge', 'amd64', 'nvidia', 4, 16384, 1],
    ['g5g.16xlarge', 'arm64', 'nvidia', 64, 131072, 2],
    ['g6e.48xlarge', 'amd64', 'nvidia', 192, 1572864, 8],
    ['p5.48xlarge', 'amd64', 'nvidia', 192, 2097152, 8],
    ['inf2.xlarge', 'amd64', 'neuron', 4, 16384, 1],
    ['trn1.32xlarge', 'amd64', 'neuron', 128, 524288, 16],
  ] as const)('%s: %s, accelerator %s, %i vCPUs, %i MiB, %i devices', (type, arch, accelerator, vcpus, memoryMib, devices) => {
    expect(instanceArchitecture(type)).toBe(arch);
    expect(instanceAccelerator(type)).toBe(accelerator);
    expect(instanceVcpus(type)).toBe(vcpus);
    expect(INSTANCE_DATA[type]!.memoryMib).toBe(memoryMib);
    expect((INSTANCE_DATA[type]!.gpus ?? INSTANCE_DATA[type]!.accelerators)?.count ?? 0).toBe(devices);
  });

  test('categories and generations as Karpenter labels them: the letters before the generation', () => {
    expect(['m7g', 'trn1', 'inf2', 'p6-b200', 'g4dn'].map((family) => familyCategoryAndGeneration(family))).toEqual([
      { category: 'm', generation: 7 },
      { category: 'trn', generation: 1 },
      { category: 'inf', generation: 2 },
      { category: 'p', generation: 6 },
      { category: 'g', generation: 4 },
    ]);
    // Trainium is not a "t" family; the x86 list keeps its order (it is written into NodePool requirements).
    expect(familiesInCategories(['t'], ['amd64', 'arm64'])).toEqual(['t3', 't3a', 't4g']);
    expect(familiesInCategories(['c', 'm', 'r'], ['amd64'])).toEqual(['m5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'r5', 'r6i', 'r7i']);
    expect(familiesInCategories(['m'], ['arm64'])).toEqual(['m6g', 'm7g', 'm8g']);
    expect(SUPPORTED_INSTANCE_FAMILIES.slice(0, 19)).toEqual(['t3', 't3a', 'm5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'r5', 'r6i', 'r7i', 'g5', 'g6', 'p4d', 'p5']);
  });
});

describe('the AMI type follows the instance types', () => {
  test('every AMI type and taint effect the project emits is one hashicorp/aws 5.100.0 accepts', () => {
    const accepted = referenceList('eks-node-group-ami-types.txt');
    const emitted = [...Object.values(AL2023_AMI_TYPES.amd64), ...Object.values(AL2023_AMI_TYPES.arm64)];
    expect(emitted.sort()).toEqual(['AL2023_ARM_64_NVIDIA', 'AL2023_ARM_64_STANDARD', 'AL2023_x86_64_NEURON', 'AL2023_x86_64_NVIDIA', 'AL2023_x86_64_STANDARD']);
    for (const amiType of emitted) expect(accepted).toContain(amiType);
    expect(referenceList('eks-node-group-taint-effects.txt')).toEqual(['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE']);
  });

  test('every type of the table has an AL2023 AMI type', () => {
    for (const type of KNOWN_INSTANCE_TYPES) expect(nodeGroupHardware([type]), type).toHaveProperty('amiType');
  });

  test.each([
    [['m6i.large', 'm5.large'], 'AL2023_x86_64_STANDARD'],
    [['m7g.large', 'c7g.large', 'r8g.large'], 'AL2023_ARM_64_STANDARD'],
    [['g5.xlarge', 'g6.xlarge'], 'AL2023_x86_64_NVIDIA'],
    [['g5g.xlarge'], 'AL2023_ARM_64_NVIDIA'],
    [['inf2.xlarge', 'trn1.2xlarge'], 'AL2023_x86_64_NEURON'],
  ])('%j: %s', (types, amiType) => {
    expect(nodeGroupHardware(types)).toMatchObject({ amiType });
  });

  test('a group mixing architectures or accelerators is refused, naming every type', () => {
    expect(nodeGroupHardware(['m6i.large', 'm7g.large', 'm5.large'])).toEqual({
      problem:
        'mixes CPU architectures: m6i.large (amd64), m7g.large (arm64), m5.large (amd64); a managed node group has one AMI type (AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD): use one node group per architecture',
    });
    expect(nodeGroupHardware(['g5.xlarge', 'm6i.xlarge'])).toEqual({
      problem: 'mixes accelerators: g5.xlarge (NVIDIA GPU), m6i.xlarge (no accelerator); a managed node group has one AMI type (AL2023_x86_64_NVIDIA, AL2023_x86_64_STANDARD): use one node group per accelerator',
    });
  });

  test('the config refuses a mixed group with the file position, before anything is synthesized', () => {
    const group = (instance_types: string[]) => ({ node_groups: [{ name: 'mixed', instance_types }] });
    expect(problemsOf(() => sandboxConfig(group(['m6i.large', 'm7g.large'])))).toEqual([
      'node_groups[0].instance_types: mixes CPU architectures: m6i.large (amd64), m7g.large (arm64); a managed node group has one AMI type (AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD): use one node group per architecture',
    ]);
    expect(problemsOf(() => sandboxConfig(group(['inf2.xlarge', 'g5.xlarge'])))).toEqual([
      'node_groups[0].instance_types: mixes accelerators: inf2.xlarge (AWS Neuron), g5.xlarge (NVIDIA GPU); a managed node group has one AMI type (AL2023_x86_64_NEURON, AL2023_x86_64_NVIDIA): use one node group per accelerator',
    ]);
  });

  test('in the compute stack: GPU groups carry the GPU NodePool\'s taint (EKS spelling), Neuron groups the Neuron one, Graviton groups none', () => {
    const { compute } = synthPlatform(
      sandboxConfig({
        node_groups: [
          { name: 'system', instance_types: ['m6i.large'] },
          { name: 'graviton', instance_types: ['m7g.large', 'c7g.large'] },
          { name: 'gpu', instance_types: ['g5.xlarge', 'g6.xlarge'], min_size: 0, desired_size: 0 },
          { name: 'gpu-arm', instance_types: ['g5g.xlarge'], min_size: 0, desired_size: 0 },
          { name: 'neuron', instance_types: ['inf2.xlarge'], min_size: 0, desired_size: 0 },
        ],
      }),
    );
    const groups = Object.values(resourcesOf(compute, EksNodeGroup)) as Array<{ node_group_name: string; ami_type: string; taint: Array<{ key: string; value: string; effect: string }> }>;
    const startup = { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NO_EXECUTE' };
    const gpu = { key: GPU_TAINT.key, value: GPU_TAINT.value, effect: 'NO_SCHEDULE' };
    expect(GPU_TAINT).toEqual({ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' });
    expect(Object.fromEntries(groups.map((group) => [group.node_group_name, [group.ami_type, group.taint]]))).toEqual({
      system: ['AL2023_x86_64_STANDARD', [startup]],
      graviton: ['AL2023_ARM_64_STANDARD', [startup]],
      gpu: ['AL2023_x86_64_NVIDIA', [startup, gpu]],
      'gpu-arm': ['AL2023_ARM_64_NVIDIA', [startup, gpu]],
      neuron: ['AL2023_x86_64_NEURON', [startup, { ...ACCELERATOR_TAINTS.neuron, effect: 'NO_SCHEDULE' }]],
    });
  });
});

describe('nothing else assumes x86 or untainted nodes', () => {
  test('a Graviton group gets the same launch template as an x86 one: /dev/xvda root volume (every AL2023 variant, Karpenter v1.14.1 al2023.go), nodeadm user data with its own maxPods', () => {
    const { compute } = synthPlatform(sandboxConfig({ node_groups: [{ name: 'graviton', instance_types: ['m7g.large', 'c7g.large'] }] }));
    const template = Object.values(resourcesOf(compute, LaunchTemplate))[0] as { block_device_mappings: Array<{ device_name: string }>; user_data: string };
    expect(template.block_device_mappings.map((mapping) => mapping.device_name)).toEqual(['/dev/xvda']);
    // m7g.large and c7g.large: 3 ENIs x 10 addresses, like m6i.large: 28 pods in ENI mode.
    expect(Buffer.from(template.user_data, 'base64').toString()).toBe(nodeUserData({ maxPods: 28, ciliumEni: true }));
  });

  test('Cilium keeps the chart\'s tolerations (1.19.6 values: agent and Envoy tolerate every taint), so it runs on GPU and Neuron nodes', () => {
    const keys = valueKeyPaths(ciliumValues(CILIUM_VALUES_INPUT));
    expect(keys.filter((key) => /(^|\.)tolerations/.test(key))).toEqual([]);
  });
});

describe('Karpenter pools may admit arm64', () => {
  const general: KarpenterPool = { ...GENERAL_POOL, architectures: ['amd64', 'arm64'], cpuLimit: 64 };
  const requirement = (pool: KarpenterPool, key: string, ciliumEni: boolean) =>
    karpenterNodePool(pool, { ciliumEnabled: true, ciliumEni }).spec!.template.spec.requirements.find((entry) => entry.key === key)?.values;

  test('the arch requirement lists the pool\'s architectures; in ENI mode its families include Graviton', () => {
    expect(requirement(general, 'kubernetes.io/arch', true)).toEqual(['amd64', 'arm64']);
    expect(requirement({ ...general, architectures: undefined }, 'kubernetes.io/arch', true)).toEqual(['amd64']);
    expect(requirement(general, 'karpenter.k8s.aws/instance-family', true)).toEqual([
      ...['m5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'r5', 'r6i', 'r7i'],
      ...['m6g', 'm7g', 'm8g', 'c6g', 'c7g', 'c8g', 'r6g', 'r7g', 'r8g'],
    ]);
    expect(karpenterPoolFamilies({ ...general, architectures: ['arm64'] })).toEqual(['m6g', 'm7g', 'm8g', 'c6g', 'c7g', 'c8g', 'r6g', 'r7g', 'r8g']);
  });

  test('the IP budget admits by architecture: an arm64-only pool never counts an x86 type', () => {
    const armOnly = karpenterNodePool({ ...general, architectures: ['arm64'] }, { ciliumEnabled: true, ciliumEni: false }).spec!.template.spec.requirements;
    const admitted = admittedInstanceTypes(armOnly, 64);
    expect(admitted.length).toBeGreaterThan(20);
    expect(admitted.every((type) => instanceArchitecture(type) === 'arm64')).toBe(true);
    expect(admitted[0]).toBe('c6g.medium');
  });

  test('the config: architectures per pool; a family of another architecture, an architecture without a family, accelerated families in the general pool are refused', () => {
    const karpenter = (pools: Record<string, unknown>) => ({ karpenter: { enabled: true, ...pools } });
    expect(sandboxConfig(karpenter({ general: { architectures: ['arm64'] }, gpu: { instance_families: ['g5g', 'g5'], architectures: ['arm64', 'amd64'] } })).karpenter).toMatchObject({
      general: { architectures: ['arm64'] },
      gpu: { architectures: ['arm64', 'amd64'] },
    });
    expect(problemsOf(() => sandboxConfig(karpenter({ general: { instance_families: ['m7g', 'm6i'] } })))).toEqual([
      'karpenter.general.instance_families[0]: "m7g" is arm64, not in karpenter.general.architectures (amd64); add arm64 there',
    ]);
    expect(problemsOf(() => sandboxConfig(karpenter({ general: { instance_families: ['m6i'], architectures: ['amd64', 'arm64'] } })))).toEqual([
      'karpenter.general.architectures[1]: arm64 admits no family of instance_families (m6i) in the instance table; remove it or add a family of that architecture',
    ]);
    expect(problemsOf(() => sandboxConfig(karpenter({ general: { instance_families: ['g5', 'inf2'] } })))).toEqual([
      'karpenter.general.instance_families[0]: "g5" has NVIDIA GPUs: GPU families go in karpenter.gpu (tainted nvidia.com/gpu)',
      'karpenter.general.instance_families[1]: "inf2" has AWS Neuron accelerators: use a managed node group (tainted aws.amazon.com/neuron)',
    ]);
    expect(problemsOf(() => sandboxConfig(karpenter({ general: { instance_categories: ['m', 'g'] } })))).toEqual([
      'karpenter.general.instance_categories[1]: "g" holds GPU or Neuron families (g5, g6, g4dn, g5g, g6e): GPU families go in karpenter.gpu (tainted nvidia.com/gpu), Neuron types in a managed node group',
    ]);
  });

  test('a GPU pool of arm64 and x86 NVIDIA families: both architectures, the GPU taint', () => {
    const pool = karpenterNodePool({ ...general, name: 'gpu', instanceFamilies: ['g5', 'g5g'], gpu: true }, { ciliumEnabled: true, ciliumEni: true });
    expect(pool.spec!.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(pool.spec!.template.spec.requirements.filter((entry) => ['kubernetes.io/arch', 'karpenter.k8s.aws/instance-family'].includes(entry.key))).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5', 'g5g'] },
    ]);
  });
});
