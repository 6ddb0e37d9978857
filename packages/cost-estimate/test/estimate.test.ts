import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { App } from 'cdktf';
import { defineSingleRegion, parseEnvironmentConfig } from '@cilium-eks/cluster-factory';
import { estimateCost } from '../src/estimate.js';
import { renderMarkdown } from '../src/render.js';
import { INSTANCE_SPECS, PRICES_AS_OF, PRICE_SOURCES, REGION_PRICES } from '../src/prices.js';
import { EC2_UNPRICED_IN_US_EAST_1, EC2_US_EAST_1_ON_DEMAND } from '../src/ec2-prices.js';
import { karpenterReferenceType } from '../src/estimate.js';
import { KNOWN_INSTANCE_TYPES } from '@cilium-eks/cluster-factory/instance-types';

/** A small environment, synthesized for real into a temporary cdktf.out. */
const FIXTURE = (region: string, systemType: string, kubernetesVersion = '1.35') => `
name: fixture
aws_account_id: "123456789012"
kubernetes_version: "${kubernetesVersion}"
upgrade_policy:
  support_type: EXTENDED
region: ${region}
availability_zones: [${region}a, ${region}b]
vpc_cidr: 10.50.0.0/16
nat_gateways: single
node_groups:
  - name: system
    instance_types: [${systemType}]
    capacity_type: ON_DEMAND
    min_size: 2
    max_size: 3
    desired_size: 2
    disk_size_gib: 50
  - name: batch
    instance_types: [m5.xlarge]
    capacity_type: SPOT
    min_size: 0
    max_size: 2
    desired_size: 1
    disk_size_gib: 80
karpenter:
  enabled: true
  general:
    capacity_types: [on-demand]
    instance_families: [c6i]
    cpu_limit: 16
log_retention_days: 30
state:
  bucket: fixture-tfstate-123456789012
  region: ${region}
`;

function synthesizeFixture(region: string, systemType = 'm6i.large', kubernetesVersion?: string): string {
  const outdir = mkdtempSync(join(tmpdir(), 'cost-fixture-'));
  const app = new App({ outdir });
  const config = parseEnvironmentConfig(FIXTURE(region, systemType, kubernetesVersion), 'fixture.yaml');
  defineSingleRegion(app, config);
  app.synth();
  return outdir;
}

describe('a fixture app in us-east-1, priced by hand', () => {
  const outdir = synthesizeFixture('us-east-1');
  const estimate = estimateCost(outdir, 'fixture');
  const h = 730;
  const cents = (value: number) => Math.round(value * 100) / 100;
  // us-east-1 list prices of the table, written out again here on purpose.
  const expected = {
    eks: 1 * 0.1 * h, // 73.00
    clusterKey: 1 * 1,
    logs: 10 * 0.5 + 10 * (30 / 30) * 0.03, // 10 GB ingested, kept 30 days: 5.30
    nat: 1 * 0.045 * h, // 32.85
    natData: 100 * 0.045, // 4.50
    system: 2 * 0.096 * h, // 2 x m6i.large on-demand: 140.16
    systemDisks: 2 * 50 * 0.08, // 8.00
    batch: 1 * 0.192 * 0.35 * h, // 1 x m5.xlarge on spot at 35%: 49.056
    batchDisks: 1 * 80 * 0.08, // 6.40
    karpenter: ((16 * 0.25) / 4) * 0.17 * h, // 25% of 16 vCPUs as c6i.xlarge (4 vCPUs) on-demand: 124.10
    stateKey: 1 * 1,
  };

  test('every line, in dollars and cents', () => {
    expect(estimate.lines.map((line) => [line.stack, line.item, line.monthlyUsd])).toEqual([
      ['fixture-network', 'NAT gateways', cents(expected.nat)],
      ['fixture-network', 'NAT data processing', cents(expected.natData)],
      ['fixture-cluster', 'EKS control plane fixture (Kubernetes 1.35)', cents(expected.eks)],
      ['fixture-cluster', 'KMS keys', cents(expected.clusterKey)],
      ['fixture-cluster', 'log group /aws/eks/fixture/cluster', cents(expected.logs)],
      ['fixture-compute', 'node group batch', cents(expected.batch)],
      ['fixture-compute', 'root volumes batch', cents(expected.batchDisks)],
      ['fixture-compute', 'node group system', cents(expected.system)],
      ['fixture-compute', 'root volumes system', cents(expected.systemDisks)],
      ['fixture-platform', 'Karpenter pool general', cents(expected.karpenter)],
      ['fixture-state', 'KMS keys', cents(expected.stateKey)],
    ]);
    expect(estimate.lines.every((line) => line.region === 'us-east-1')).toBe(true);
    expect(estimate.unpriced).toEqual([]);
  });

  test('totals per stack and overall', () => {
    const total = Object.values(expected).reduce((sum, value) => sum + cents(value), 0);
    expect(estimate.totalUsd).toBe(cents(total));
    expect(estimate.totalUsd).toBe(73 + 1 + 5.3 + 32.85 + 4.5 + 140.16 + 8 + 49.06 + 6.4 + 124.1 + 1); // 445.37
    expect(estimate.karpenterUsd).toBe(124.1);
    expect(estimate.stacks).toEqual([
      { stack: 'fixture-network', monthlyUsd: 37.35 },
      { stack: 'fixture-cluster', monthlyUsd: 79.3 },
      { stack: 'fixture-cni', monthlyUsd: 0 },
      { stack: 'fixture-compute', monthlyUsd: cents(cents(expected.system) + 8 + cents(expected.batch) + 6.4) },
      { stack: 'fixture-platform', monthlyUsd: 124.1 },
      { stack: 'fixture-state', monthlyUsd: 1 },
    ]);
  });

  test('the same workload on EC2 on-demand, Karpenter with spot, and Fargate', () => {
    // 2 x m6i.large (2 vCPUs, 8 GiB) + 1 x m5.xlarge (4 vCPUs, 16 GiB)
    const onDemand = (2 * 0.096 + 0.192) * h; // 280.32
    expect(estimate.comparison).toEqual([
      {
        stack: 'fixture-compute',
        region: 'us-east-1',
        nodes: 3,
        vcpus: 8,
        memoryGib: 32,
        ec2OnDemandUsd: cents(onDemand),
        karpenterSpotUsd: cents(onDemand * 0.35), // 98.11
        fargateUsd: cents((8 * 0.04048 + 32 * 0.004445) * h), // 340.24
      },
    ]);
  });

  test('Markdown states the total, the price date and the assumptions', () => {
    const markdown = renderMarkdown(estimate);
    expect(markdown.split('\n')[0]).toBe(
      "About **$445.37/month** for `fixture` (730 hours), of which $124.10 is Karpenter capacity at the assumed 25% of its pools' CPU limits, computed from the synthesized stacks by `packages/cost-estimate`.",
    );
    expect(markdown).toContain('| fixture-compute | us-east-1 | node group batch | 1 x m5.xlarge SPOT at $0.192/h x 0.35 (spot) | $49.06 |');
    expect(markdown).toContain(
      'Prices: EC2 on-demand in us-east-1 and us-west-2 from aws/karpenter-provider-aws tag v1.14.1 (commit bde00654cd316fddb3dccfba3f5ac07039865429, 2026-08-20), pkg/providers/pricing/zz_generated.pricing_aws.go (2026-07-06T14:20:29Z, us-east-1, Linux on-demand); everything else 2025 (AWS public list prices; not re-checked online when committed on 2026-11-23). EKS support status on 2026-12-05 (the EKS calendar).',
    );
    expect(markdown).toContain('| fixture-cluster | us-east-1 | EKS control plane fixture (Kubernetes 1.35) | 1 x $0.10/h (standard support until 2027-03-27) | $73.00 |');
    expect(markdown).toContain('| fixture-compute | us-east-1 | 3 | 8 | 32 | $280.32 | $98.11 | $340.24 |');
    expect(markdown).toContain('- NAT gateways process 100 GB a month each');
  });

  test('the CLI prints the same estimate as JSON for CI', () => {
    const cli = join(import.meta.dirname, '../src/cli.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli, outdir, '--environment', 'fixture', '--format', 'json'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(estimate)));
  });

  test('the CLI prices on --date; a malformed date is refused', () => {
    const cli = join(import.meta.dirname, '../src/cli.ts');
    const run = (...flags: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, outdir, '--environment', 'fixture', '--format', 'json', ...flags], { encoding: 'utf8' });
    const later = run('--date', '2027-04-01');
    expect(later.status, later.stderr).toBe(0);
    expect((JSON.parse(later.stdout) as { date: string; upgradeSavings: unknown[] }).date).toBe('2027-04-01');
    expect((JSON.parse(later.stdout) as { upgradeSavings: unknown[] }).upgradeSavings).toHaveLength(1);
    const bad = run('--date', '2027-13-01');
    expect(bad.status).toBe(1);
    expect(bad.stderr.split('\n')[0]).toBe('--date: "2027-13-01" is not a date (expected YYYY-MM-DD)');
  });

  test('the CLI refuses a directory without a synthesized app', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cost-empty-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli.ts'), empty, '--environment', 'x'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`${empty} has no manifest.json: synthesize the app first (npx nx run <app>:synth)`);
  });
});

describe('types the table cannot price', () => {
  test('are reported, not priced as zero, and stay out of the total and the comparison', () => {
    // eu-west-1 lists no m5a.large price.
    const estimate = estimateCost(synthesizeFixture('eu-west-1', 'm5a.large'), 'fixture');
    expect(estimate.unpriced).toEqual([
      { stack: 'fixture-compute', region: 'eu-west-1', item: 'node group system', reason: 'm5a.large has no eu-west-1 price in the table' },
      { stack: 'fixture-platform', region: 'eu-west-1', item: 'Karpenter pool general', reason: 'reference type c6i.xlarge has no eu-west-1 price in the table' },
    ]);
    expect(estimate.lines.map((line) => line.item)).not.toContain('node group system');
    expect(estimate.lines.find((line) => line.item === 'node group batch')?.monthlyUsd).toBe(Math.round(0.214 * 0.35 * 730 * 100) / 100);
    expect(estimate.comparison).toEqual([]);
    expect(renderMarkdown(estimate)).toContain('- fixture-compute (eu-west-1): node group system: m5a.large has no eu-west-1 price in the table');
  });

  test('a region missing from the table prices nothing there', () => {
    const estimate = estimateCost(synthesizeFixture('ap-south-1'), 'fixture');
    expect(estimate.lines.map((line) => line.region)).toEqual([]);
    expect(estimate.totalUsd).toBe(0);
    expect(estimate.unpriced.map((item) => item.item)).toContain('EKS control plane fixture (Kubernetes 1.35)');
    expect(new Set(estimate.unpriced.map((item) => item.reason))).toEqual(new Set(['no prices for region ap-south-1 in the table']));
  });
});

describe('Graviton, GPU and Neuron capacity', () => {
  const GRAVITON_AND_GPU = `
name: fixture
aws_account_id: "123456789012"
region: us-west-2
availability_zones: [us-west-2a, us-west-2b]
vpc_cidr: 10.50.0.0/16
nat_gateways: single
node_groups:
  - name: graviton
    instance_types: [m7g.large, c7g.large]
    desired_size: 2
  - name: gpu
    instance_types: [g6e.xlarge]
    min_size: 0
    desired_size: 1
  - name: neuron
    instance_types: [inf2.xlarge]
    min_size: 0
    desired_size: 1
karpenter:
  enabled: true
  general:
    capacity_types: [on-demand]
    instance_categories: [m]
    architectures: [arm64]
    cpu_limit: 16
  gpu:
    capacity_types: [on-demand]
    instance_families: [g5g, g5]
    architectures: [arm64, amd64]
    cpu_limit: 16
state:
  bucket: fixture-tfstate-123456789012
  region: us-west-2
`;

  test('node groups and pools of the new types are priced from the table, each at its own price', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cost-graviton-'));
    const app = new App({ outdir });
    defineSingleRegion(app, parseEnvironmentConfig(GRAVITON_AND_GPU, 'fixture.yaml'));
    app.synth();
    const estimate = estimateCost(outdir, 'fixture');
    const line = (item: string) => estimate.lines.find((entry) => entry.item === item)?.detail;
    expect(line('node group graviton')).toBe('2 x m7g.large ON_DEMAND at $0.0816/h');
    expect(line('node group gpu')).toBe('1 x g6e.xlarge ON_DEMAND at $1.861/h');
    expect(line('node group neuron')).toBe('1 x inf2.xlarge ON_DEMAND at $0.7582/h');
    // ENI mode: the arm64 pool lists its Graviton families, priced at the first one's xlarge.
    expect(line('Karpenter pool general')).toBe('assumed 25% of 16 vCPUs = 4 vCPUs as m6g.xlarge at $0.154/h per 4 vCPUs (on-demand)');
    expect(line('Karpenter pool gpu')).toBe('assumed 25% of 16 vCPUs = 4 vCPUs as g5g.xlarge at $0.42/h per 4 vCPUs (on-demand)');
    expect(estimate.unpriced).toEqual([]);
    expect(estimate.comparison[0]).toMatchObject({ nodes: 4, vcpus: 2 * 2 + 4 + 4, memoryGib: 2 * 8 + 32 + 16 });
  });

  test('a default entry removed or replaced is priced as synthesized: general off, gpu replaced by a list entry of its name', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cost-replaced-'));
    const app = new App({ outdir });
    const replaced = GRAVITON_AND_GPU.replace('  general:\n', '  general:\n    enabled: false\n').replace(
      '  gpu:\n    capacity_types: [on-demand]\n    instance_families: [g5g, g5]\n    architectures: [arm64, amd64]\n    cpu_limit: 16\n',
      '  node_pools:\n    - name: gpu\n      gpu: true\n      capacity_types: [on-demand]\n      instance_families: [g5]\n      cpu_limit: 32\n',
    );
    defineSingleRegion(app, parseEnvironmentConfig(replaced, 'fixture.yaml'));
    app.synth();
    const estimate = estimateCost(outdir, 'fixture');
    expect(estimate.lines.filter((entry) => entry.item.startsWith('Karpenter pool')).map((entry) => [entry.item, entry.detail])).toEqual([
      ['Karpenter pool gpu', 'assumed 25% of 32 vCPUs = 8 vCPUs as g5.xlarge at $1.006/h per 4 vCPUs (on-demand)'],
    ]);
  });

  test('every NodePool of karpenter.node_pools is priced, its own requirements choosing the type and its capacity type the share', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cost-pools-'));
    const app = new App({ outdir });
    const pools = FIXTURE('us-west-2', 'm6i.large').replace(
      'log_retention_days: 30',
      [
        '  node_pools:',
        '    - name: arm-spot',
        '      capacity_types: [spot]',
        '      instance_families: [m7g]',
        '      architectures: [arm64]',
        '      cpu_limit: 64',
        '      requirements:',
        '        - key: karpenter.k8s.aws/instance-cpu',
        '          operator: Gte',
        '          values: ["8"]',
        'log_retention_days: 30',
      ].join('\n'),
    );
    defineSingleRegion(app, parseEnvironmentConfig(pools, 'fixture.yaml'));
    app.synth();
    const estimate = estimateCost(outdir, 'fixture');
    const line = (item: string) => estimate.lines.find((entry) => entry.item === item);
    expect(estimate.lines.filter((entry) => entry.item.startsWith('Karpenter pool')).map((entry) => entry.item)).toEqual(['Karpenter pool general', 'Karpenter pool arm-spot']);
    const hourly = REGION_PRICES['us-west-2']!.ec2OnDemandHour['m7g.2xlarge']!;
    expect(line('Karpenter pool arm-spot')!.detail).toBe(`assumed 25% of 64 vCPUs = 16 vCPUs as m7g.2xlarge at $${hourly}/h per 8 vCPUs x 0.35 (spot)`);
    expect(line('Karpenter pool arm-spot')!.monthlyUsd).toBe(Math.round((16 / 8) * hourly * 0.35 * 730 * 100) / 100);
    expect(estimate.unpriced).toEqual([]);
  });

  test.each([
    [[{ key: 'karpenter.k8s.aws/instance-family', values: ['m7g'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gte' as const, values: ['65536'] }], 'm7g.4xlarge'],
    [[{ key: 'karpenter.k8s.aws/instance-family', operator: 'NotIn' as const, values: ['m6i'] }, { key: 'karpenter.k8s.aws/instance-category', values: ['c'] }], 'c6i.xlarge'],
  ])('a pool with %j is priced as %s: only In names families, other requirements choose the size', (requirements, type) => {
    expect(karpenterReferenceType({ name: 'pool', requirements })).toBe(type);
  });

  test.each([
    [[{ key: 'karpenter.k8s.aws/instance-category', values: ['c', 'm', 'r'] }, { key: 'kubernetes.io/arch', values: ['amd64'] }], 'm6i.xlarge'],
    [[{ key: 'karpenter.k8s.aws/instance-category', values: ['c', 'm'] }, { key: 'kubernetes.io/arch', values: ['arm64'] }], 'm7g.xlarge'],
    [[{ key: 'karpenter.k8s.aws/instance-category', values: ['c'] }, { key: 'kubernetes.io/arch', values: ['amd64', 'arm64'] }], 'c6i.xlarge'],
    [[{ key: 'karpenter.k8s.aws/instance-family', values: ['p5'] }], 'p5.4xlarge'],
    [[{ key: 'karpenter.k8s.aws/instance-family', values: ['p4d', 'g5'] }], 'p4d.24xlarge'],
  ])('a pool with %j is priced as %s, a type of the table', (requirements, type) => {
    expect(karpenterReferenceType({ name: 'pool', requirements })).toBe(type);
    expect(KNOWN_INSTANCE_TYPES).toContain(type);
  });
});

describe('the price table', () => {
  test('us-east-1 prices every type of the instance table except the ones the source does not offer there', () => {
    expect(EC2_UNPRICED_IN_US_EAST_1).toEqual(['p5e.48xlarge', 'trn2.48xlarge']);
    expect(KNOWN_INSTANCE_TYPES.filter((type) => !(type in EC2_US_EAST_1_ON_DEMAND))).toEqual(EC2_UNPRICED_IN_US_EAST_1);
    expect(Object.keys(EC2_US_EAST_1_ON_DEMAND).filter((type) => !KNOWN_INSTANCE_TYPES.includes(type))).toEqual([]);
    // Spot checks against the source (Karpenter v1.14.1's copy of the Price List API, us-east-1).
    expect([EC2_US_EAST_1_ON_DEMAND['m6i.large'], EC2_US_EAST_1_ON_DEMAND['m7g.large'], EC2_US_EAST_1_ON_DEMAND['g5.xlarge'], EC2_US_EAST_1_ON_DEMAND['p5en.48xlarge']]).toEqual([0.096, 0.0816, 1.006, 63.296]);
  });

  test.each(Object.keys(REGION_PRICES))('%s: every priced instance type has its vCPUs and memory, every price is positive', (region) => {
    const prices = REGION_PRICES[region]!;
    for (const [type, hourly] of Object.entries(prices.ec2OnDemandHour)) {
      expect(INSTANCE_SPECS[type], type).toBeDefined();
      expect(hourly, type).toBeGreaterThan(0);
    }
    for (const [item, price] of Object.entries(prices)) if (typeof price === 'number') expect(price, item).toBeGreaterThan(0);
  });

  test('the rendering names the price date and every source page', () => {
    const markdown = renderMarkdown(estimateCost(synthesizeFixture('us-west-2'), 'fixture'));
    expect(markdown).toContain(`Prices: ${PRICES_AS_OF}.`);
    for (const url of Object.values(PRICE_SOURCES)) expect(markdown).toContain(url);
  });
});

describe('the control plane at the price of its Kubernetes version on the estimate\'s date', () => {
  const outdir = synthesizeFixture('us-east-1', 'm6i.large', '1.34');
  const controlPlane = (date: string) => estimateCost(outdir, 'fixture', { date }).lines.find((line) => line.item.startsWith('EKS control plane'));

  test('1.34 before 2026-12-02 is in standard support: $0.10/h', () => {
    expect(controlPlane('2026-12-01')).toMatchObject({ detail: '1 x $0.10/h (standard support until 2026-12-02)', monthlyUsd: 73 });
  });

  test('from 2026-12-02 it is in extended support: $0.60/h, and the estimate says what upgrading saves', () => {
    const estimate = estimateCost(outdir, 'fixture', { date: '2026-12-05' });
    expect(controlPlane('2026-12-05')).toMatchObject({ item: 'EKS control plane fixture (Kubernetes 1.34)', detail: '1 x $0.60/h (extended support since 2026-12-02)', monthlyUsd: 438 });
    expect(estimate.upgradeSavings).toEqual([{ stack: 'fixture-cluster', region: 'us-east-1', cluster: 'fixture', version: '1.34', upgradeTo: '1.35', monthlyUsd: 365 }]);
    const markdown = renderMarkdown(estimate);
    expect(markdown).toContain('**Extended support** on 2026-12-05: upgrading saves the surcharge:\n\n- fixture-cluster (us-east-1): fixture runs Kubernetes 1.34; upgrading to 1.35 saves $365.00/month\n');
    expect(markdown).toContain('| fixture-cluster | us-east-1 | EKS control plane fixture (Kubernetes 1.34) | 1 x $0.60/h (extended support since 2026-12-02) | $438.00 |');
  });

  test('past extended support it is not priced, with the reason', () => {
    expect(estimateCost(outdir, 'fixture', { date: '2027-12-02' }).unpriced).toEqual([
      { stack: 'fixture-cluster', region: 'us-east-1', item: 'EKS control plane fixture (Kubernetes 1.34)', reason: 'Kubernetes 1.34 left EKS extended support on 2027-12-02' },
    ]);
  });
});
