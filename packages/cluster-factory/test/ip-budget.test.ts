import { describe, expect, test } from 'vitest';
import { Testing } from 'cdktf';
import {
  addressesPerNode,
  admittedInstanceTypes,
  IpBudgetError,
  podIpBudget,
  subnetCapacity,
  type IpBudgetInput,
} from '../src/capacity/ip-budget.js';
import { instanceVcpus } from '../src/capacity/instance-types.js';
import { ciliumMaxPods } from '../src/capacity/max-pods.js';
import { karpenterNodePool, type KarpenterPool } from '../src/karpenter/node-pools.js';
import { karpenterPoolScenarios } from '../src/karpenter/karpenter-capacity.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { collectAnnotations } from '../src/app/run-app.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { GENERAL_POOL, sandboxConfig } from './fixtures.js';

const HOST = 3; // Cilium agent, Envoy, Pod Identity agent

describe('subnet capacity', () => {
  test.each([
    // prefix, prefix delegation, usable: size - 5 reserved; with prefixes whole /28 blocks minus the first and last
    [18, false, 16384 - 5],
    [18, true, (16384 / 16 - 2) * 16],
    [24, false, 256 - 5],
    [24, true, (256 / 16 - 2) * 16],
    [27, true, 0],
    [28, false, 16 - 5],
    [28, true, 0],
  ])('/%i, prefix delegation %s: %i usable addresses', (prefix, prefixDelegation, usable) => {
    expect(subnetCapacity(2 ** (32 - prefix), prefixDelegation)).toBe(usable);
  });
});

describe('addresses one node takes', () => {
  test.each([
    // m6i.large: 3 ENIs x 10 IPv4 (9 slots each). 28 pods - 3 host = 25 pod addresses + Cilium's 2 = 27, + 3 ENI primaries
    ['eni', false, 'm6i.large', 28, 25 + 2 + 3],
    // 12 pods: 9 + 2 = 11 addresses, two ENIs
    ['eni', false, 'm6i.large', 12, 9 + 2 + 2],
    // host-network pods only: Cilium's 2 and the node's own address
    ['eni', false, 'm6i.large', 3, 0 + 2 + 1],
    // prefix delegation: 107 + 2 = 109 addresses = 7 /28 prefixes, one ENI primary in a /28 of its own
    ['eni', true, 'm6i.large', 110, (7 + 1) * 16],
    // m7a.medium (2 ENIs x 4 IPv4): 94 + 2 = 96 addresses = 6 prefixes on 3 slots per ENI -> 2 ENIs
    ['eni', true, 'm7a.medium', 97, (6 + 2) * 16],
    // 19 + 2 = 21 addresses need two prefixes: the second holds 5 and wastes 11 addresses
    ['eni', true, 'm6i.large', 22, (2 + 1) * 16],
    ['overlay', false, 'm6i.large', 110, 1],
  ] as const)('%s mode, prefix delegation %s, %s at %i pods: %i addresses', (mode, prefixDelegation, type, pods, addresses) => {
    expect(addressesPerNode(type, pods, { mode, prefixDelegation, hostNetworkPods: HOST })).toBe(addresses);
  });
});

describe('pod IP budget', () => {
  // One zone, a /24: 251 addresses, or 14 whole /28 blocks (224) with prefix delegation.
  const base = (overrides: Partial<IpBudgetInput>): IpBudgetInput => ({
    mode: 'eni',
    prefixDelegation: false,
    hostNetworkPods: HOST,
    subnets: [{ zone: 'us-west-2a', cidr: '10.0.0.0/24' }],
    sources: [],
    warnAtShare: 0.8,
    ...overrides,
  });
  const group = (nodes: number, podsPerNode: number) => ({ label: 'node_groups[0] (system)', scenarios: [{ instanceType: 'm6i.large', nodes, podsPerNode }] });

  test('prefix fragmentation: 5 nodes of 33 pods fit as secondary addresses but not as /28 prefixes', () => {
    // 30 pod addresses + Cilium's 2 = 32 per node: ENI mode 32 + 4 ENIs = 36 each, 180 of 251; prefixes (2 + 1) x 16 = 48 each, 240 of 224
    const eni = podIpBudget(base({ sources: [group(5, 33)] }));
    expect(eni.zones[0]).toMatchObject({ size: 256, reserved: 5, capacity: 251, demand: 5 * 36, nodes: 5, verdict: 'ok' });
    expect(eni.errors).toEqual([]);
    expect(eni.warnings).toEqual([]);

    const prefixes = podIpBudget(base({ prefixDelegation: true, sources: [group(5, 33)] }));
    expect(prefixes.zones[0]).toMatchObject({ capacity: 224, demand: 5 * 48, verdict: 'refuse' });
    expect(prefixes.errors).toEqual([
      'pod IP budget: zone us-west-2a, private subnet 10.0.0.0/24 (224 usable in whole /28 blocks): 5 nodes at maximum scale (node_groups[0] (system): 5 x m6i.large x 48) need 240 addresses in ENI mode with prefix delegation, more than the subnet holds; use larger private subnets (vpc_cidr), cilium_mode: overlay (pods leave the subnet), cilium.prefix_delegation: false (no /28 fragmentation), or fewer nodes (max_size, karpenter cpu_limit)',
    ]);
  });

  test('warns above the configured share: 4 nodes x 48 = 192 of 224 (86%)', () => {
    const budget = podIpBudget(base({ prefixDelegation: true, sources: [group(4, 33)] }));
    expect(budget.zones[0]).toMatchObject({ demand: 192, verdict: 'warn' });
    expect(budget.errors).toEqual([]);
    expect(budget.warnings).toEqual([
      'pod IP budget: zone us-west-2a, private subnet 10.0.0.0/24 (224 usable in whole /28 blocks): 4 nodes at maximum scale (node_groups[0] (system): 4 x m6i.large x 48) need 192 addresses in ENI mode with prefix delegation, 86% of the subnet (ip_budget.warn_at_share 0.8); consider larger private subnets (vpc_cidr), cilium_mode: overlay (pods leave the subnet), cilium.prefix_delegation: false (no /28 fragmentation), or fewer nodes (max_size, karpenter cpu_limit)',
    ]);
    expect(podIpBudget(base({ prefixDelegation: true, sources: [group(4, 33)], warnAtShare: 0.9 })).warnings).toEqual([]);
  });

  test('nodes spread evenly over zones, rounded up; each source counts its worst scenario', () => {
    const budget = podIpBudget(
      base({
        subnets: [
          { zone: 'us-west-2a', cidr: '10.0.0.0/24' },
          { zone: 'us-west-2b', cidr: '10.0.1.0/24' },
        ],
        sources: [
          group(5, 10), // ceil(5 / 2) = 3 nodes x (7 + 2 + 1)
          {
            label: 'karpenter.general',
            scenarios: [
              { instanceType: 'm7a.medium', nodes: 8, podsPerNode: 7 }, // 4 per zone x (4 + 2 + 2) = 32
              { instanceType: 'm6i.large', nodes: 1, podsPerNode: 28 }, // 1 per zone x (25 + 2 + 3) = 30
            ],
          },
        ],
      }),
    );
    expect(budget.zones.map((zone) => [zone.zone, zone.nodes, zone.demand])).toEqual([
      ['us-west-2a', 3 + 4, 3 * 10 + 4 * 8],
      ['us-west-2b', 3 + 4, 3 * 10 + 4 * 8],
    ]);
    expect(budget.zones[0]!.sources.map((source) => source.instanceType)).toEqual(['m6i.large', 'm7a.medium']);
  });

  test('ENI mode refusal names plain-ENI remedies', () => {
    // 8 nodes x (25 + 2 + 3) = 240 <= 251; 9 nodes = 270 > 251
    expect(podIpBudget(base({ sources: [group(8, 28)] })).zones[0]).toMatchObject({ demand: 240, verdict: 'warn' });
    expect(podIpBudget(base({ sources: [group(9, 28)] })).errors).toEqual([
      'pod IP budget: zone us-west-2a, private subnet 10.0.0.0/24 (251 usable): 9 nodes at maximum scale (node_groups[0] (system): 9 x m6i.large x 30) need 270 addresses in ENI mode, more than the subnet holds; use larger private subnets (vpc_cidr), cilium_mode: overlay (pods leave the subnet), cilium.prefix_delegation: true (ENI limits allow more pods per node, fewer nodes for the same pods), or fewer nodes (max_size, karpenter cpu_limit)',
    ]);
  });

  test('overlay mode: the pod CIDR holds one /24 per node (a /20 holds 16), nodes take one subnet address each', () => {
    const overlay = (nodes: number) => podIpBudget(base({ mode: 'overlay', podCidr: '10.32.0.0/20', sources: [group(nodes, 110)] }));
    expect(overlay(12).podCidr).toEqual({ podCidr: '10.32.0.0/20', capacity: 16, demand: 12, verdict: 'ok' });
    expect(overlay(12).zones[0]).toMatchObject({ capacity: 251, demand: 12, verdict: 'ok' });
    expect(overlay(13).warnings).toEqual([
      'pod IP budget: 13 nodes at maximum scale need one /24 each; cilium.pod_cidr 10.32.0.0/20 holds 16 (81%, ip_budget.warn_at_share 0.8); consider a larger cilium.pod_cidr or fewer nodes (max_size, karpenter cpu_limit)',
    ]);
    expect(overlay(17).errors).toEqual([
      'pod IP budget: 17 nodes at maximum scale need one /24 each; cilium.pod_cidr 10.32.0.0/20 holds 16; use a larger cilium.pod_cidr or fewer nodes (max_size, karpenter cpu_limit)',
    ]);
  });
});

describe('Karpenter pools at their CPU limit', () => {
  const pool: KarpenterPool = GENERAL_POOL;
  // The pool as written for overlay mode (categories as given; in ENI mode the pool is narrowed, see below).
  const requirementsOf = (nodePool: KarpenterPool, options: { ciliumEni: boolean }) =>
    karpenterNodePool(nodePool, { ciliumEnabled: true, ...options }).spec!.template.spec.requirements;
  const requirements = requirementsOf(pool, { ciliumEni: false });

  test.each([
    ['m7a.medium', 1],
    ['t3.small', 2],
    ['m6i.large', 2],
    ['g5.xlarge', 4],
    ['c5.9xlarge', 36],
    ['m7i.48xlarge', 192],
  ])('%s has %i vCPUs', (type, vcpus) => {
    expect(instanceVcpus(type)).toBe(vcpus);
  });

  test('32 vCPUs: 32 nodes of the smallest admitted type (m7a.medium), 1 of each 8xlarge', () => {
    const admitted = admittedInstanceTypes(requirements, 32);
    expect(admitted[0]).toBe('m7a.medium');
    expect(admitted.some((type) => type.startsWith('t3') || type.startsWith('g5'))).toBe(false);
    const eni = { mode: 'eni' as const, prefixDelegation: false, hostNetworkPods: HOST };
    const scenarios = karpenterPoolScenarios(requirements, 32, (type) => ciliumMaxPods(type, eni));
    expect(scenarios.map((scenario) => [scenario.instanceType, scenario.nodes])).toEqual([
      ['m7a.medium', 32],
      ...['c6a', 'c6i', 'c7i', 'm5', 'm5a', 'm6a', 'm6i', 'm7a', 'm7i', 'r5', 'r6i', 'r7i'].map((family) => [`${family}.8xlarge`, 1]),
    ]);
    expect(scenarios[0]!.podsPerNode).toBe(ciliumMaxPods('m7a.medium', eni));
  });

  test('ENI mode: the narrowed pool admits no size below large, so its smallest nodes are 2 vCPUs', () => {
    const admitted = admittedInstanceTypes(requirementsOf(pool, { ciliumEni: true }), 32);
    expect(admitted.some((type) => /\.(nano|micro|small|medium)$/.test(type))).toBe(false);
    expect(instanceVcpus(admitted[0]!)).toBe(2);
  });

  test('a GPU pool admits only its families', () => {
    const gpu = requirementsOf({ ...pool, name: 'gpu', instanceFamilies: ['g5'], gpu: true }, { ciliumEni: false });
    expect(admittedInstanceTypes(gpu, 64)).toEqual(['g5.xlarge', 'g5.2xlarge', 'g5.4xlarge', 'g5.8xlarge', 'g5.12xlarge', 'g5.16xlarge']);
  });
});

describe('at synth', () => {
  // Sandbox: two zones of a /16, a /18 each (16352 usable in /28 blocks). With prefix
  // delegation every node of these types takes 8 blocks = 128 addresses: system and
  // spot-workers ceil(3 / 2) + ceil(4 / 2) = 4 nodes per zone = 512, plus Karpenter's
  // smallest admitted size in ENI mode, a 2-vCPU .large: cpu_limit / 2 nodes, half per zone.
  const variant = (cpuLimit: number, warnAtShare?: number) =>
    sandboxConfig({
      cilium: { ...sandboxConfig().cilium, prefix_delegation: true },
      karpenter: { ...sandboxConfig().karpenter, general: { ...sandboxConfig().karpenter.general, cpu_limit: cpuLimit } },
      ...(warnAtShare === undefined ? {} : { ip_budget: { warn_at_share: warnAtShare } }),
    });

  test('within the budget: no warning, the budget is on the plan', () => {
    const plan = planPlatform(variant(100));
    expect(plan.ipBudget?.zones.map((zone) => zone.demand)).toEqual([512 + 25 * 128, 512 + 25 * 128]);
    expect(plan.warnings).toEqual([]);
  });

  test('above ip_budget.warn_at_share: a warning on the network stack per zone', () => {
    const app = Testing.app();
    new EnvironmentPlatform(app, planPlatform(variant(240, 0.5))); // 512 + 60 x 128 = 8192 of 16352 (50.1%)
    const warnings = collectAnnotations(app).filter((annotation) => annotation.message.includes('pod IP budget'));
    expect(warnings.map((warning) => [warning.level, warning.path])).toEqual([
      ['warn', 'sandbox-network'],
      ['warn', 'sandbox-network'],
    ]);
    expect(warnings[0]!.message).toBe(
      'pod IP budget: zone us-west-2a, private subnet 10.10.0.0/18 (16352 usable in whole /28 blocks): 64 nodes at maximum scale (node_groups[0] (system): 2 x m6i.large x 128, node_groups[1] (spot-workers): 2 x m6i.large x 128, karpenter.general: 60 x c5.large x 128) need 8192 addresses in ENI mode with prefix delegation, 50% of the subnet (ip_budget.warn_at_share 0.5); consider larger private subnets (vpc_cidr), cilium_mode: overlay (pods leave the subnet), cilium.prefix_delegation: false (no /28 fragmentation), or fewer nodes (max_size, karpenter cpu_limit)',
    );
  });

  test('beyond the subnet: synth refuses, naming every zone', () => {
    // 512 + 200 x 128 = 26112 > 16352
    const refuse = () => planPlatform(variant(800));
    expect(refuse).toThrow(IpBudgetError);
    expect(refuse).toThrow(
      ['us-west-2a', 'us-west-2b']
        .map(
          (zone, index) =>
            `sandbox: pod IP budget: zone ${zone}, private subnet 10.10.${index * 64}.0/18 (16352 usable in whole /28 blocks): 204 nodes at maximum scale (node_groups[0] (system): 2 x m6i.large x 128, node_groups[1] (spot-workers): 2 x m6i.large x 128, karpenter.general: 200 x c5.large x 128) need 26112 addresses in ENI mode with prefix delegation, more than the subnet holds; use larger private subnets (vpc_cidr), cilium_mode: overlay (pods leave the subnet), cilium.prefix_delegation: false (no /28 fragmentation), or fewer nodes (max_size, karpenter cpu_limit)`,
        )
        .join('\n'),
    );
  });
});
