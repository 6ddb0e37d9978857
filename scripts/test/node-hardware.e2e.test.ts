import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkStacks, PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { APPS } from '../lib/apps.js';
import { nodePoolChartObjects } from './support/node-pool-chart.js';

const ROOT = join(import.meta.dirname, '../..');
const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;

interface NodePoolYaml {
  kind: string;
  metadata: { name: string };
  spec: { template: { spec: { requirements: Array<{ key: string; values: string[] }>; taints?: unknown[] } } };
}

interface PlanJson {
  resource_changes?: Array<{ type: string; change: { actions: string[]; after: Record<string, unknown> | null } }>;
}

/**
 * Graviton, NVIDIA (x86 and arm64) and Neuron node groups, and Karpenter pools that admit
 * arm64, synthesized through the sandbox app's entry work and planned with the real terraform
 * and hashicorp/aws 5.100.0 (which validates ami_type and the taint effects).
 */
describe.skipIf(!mirror && !process.env.CI)('Graviton, GPU and Neuron capacity with the real terraform', () => {
  test('node groups get their AMI types and taints, pools their architectures; the AWS stacks plan offline', async () => {
    const work = mkdtempSync(join(tmpdir(), 'node-hardware-'));
    const config = parse(readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8')) as Record<string, unknown>;
    config.node_groups = [
      { name: 'system', instance_types: ['m7g.large', 'c7g.large'], min_size: 2, max_size: 3, desired_size: 2 },
      { name: 'gpu', instance_types: ['g5.xlarge', 'g6.xlarge'], min_size: 0, max_size: 2, desired_size: 0 },
      { name: 'gpu-arm', instance_types: ['g5g.xlarge'], min_size: 0, max_size: 2, desired_size: 0 },
      { name: 'neuron', instance_types: ['inf2.xlarge'], min_size: 0, max_size: 1, desired_size: 0 },
    ];
    // The state bucket is not what this test is about: no state stack to plan.
    (config.state as Record<string, unknown>).bootstrap = 'existing';
    const karpenter = config.karpenter as Record<string, Record<string, unknown>>;
    karpenter.general!.architectures = ['amd64', 'arm64'];
    karpenter.gpu = { capacity_types: ['on-demand'], instance_families: ['g5', 'g5g'], architectures: ['amd64', 'arm64'], cpu_limit: 32 };
    const file = join(work, 'sandbox.yaml');
    writeFileSync(file, stringify(config));
    const outdir = join(work, 'cdktf.out');
    const result = APPS.sandbox!.synth({ outdir, config: file });
    expect(result.status, result.stderr).toBe(0);

    // The NodePools exactly as they reach the cluster (synth validated them against the pinned Karpenter's CRDs).
    const pools = nodePoolChartObjects<NodePoolYaml>(outdir, 'sandbox-platform').filter((object) => object.kind === 'NodePool');
    const requirement = (name: string, key: string) => pools.find((pool) => pool.metadata.name === name)!.spec.template.spec.requirements.find((entry) => entry.key === key)?.values;
    expect(requirement('general', 'kubernetes.io/arch')).toEqual(['amd64', 'arm64']);
    expect(requirement('general', 'karpenter.k8s.aws/instance-family')).toEqual(expect.arrayContaining(['m6i', 'm7g', 'c8g', 'r8g']));
    expect(requirement('gpu', 'kubernetes.io/arch')).toEqual(['amd64', 'arm64']);
    expect(requirement('gpu', 'karpenter.k8s.aws/instance-family')).toEqual(['g5', 'g5g']);
    expect(pools.find((pool) => pool.metadata.name === 'gpu')!.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);

    const planJsonDir = join(work, 'plans');
    const reports = await checkStacks({ outdir, mirror, planJsonDir });
    expect(reports.filter((report) => report.status === 'failed').map((report) => `${report.stack}: ${report.detail}`)).toEqual([]);
    expect(reports.filter((report) => report.status === 'planned').map((report) => report.stack)).toEqual(['sandbox-network', 'sandbox-cluster', 'sandbox-compute']);

    const plan = JSON.parse(readFileSync(join(planJsonDir, 'sandbox-compute.plan.json'), 'utf8')) as PlanJson;
    const groups = (plan.resource_changes ?? []).filter((change) => change.type === 'aws_eks_node_group').map((change) => change.change.after!);
    const startup = { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NO_EXECUTE' };
    const gpu = { key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' };
    expect(Object.fromEntries(groups.map((group) => [group.node_group_name, [group.ami_type, group.taint]]))).toEqual({
      system: ['AL2023_ARM_64_STANDARD', [startup]],
      gpu: ['AL2023_x86_64_NVIDIA', expect.arrayContaining([startup, gpu])],
      'gpu-arm': ['AL2023_ARM_64_NVIDIA', expect.arrayContaining([startup, gpu])],
      neuron: ['AL2023_x86_64_NEURON', expect.arrayContaining([startup, { key: 'aws.amazon.com/neuron', value: 'true', effect: 'NO_SCHEDULE' }])],
    });
  }, 300_000);
});
