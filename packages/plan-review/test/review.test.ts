import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkStacks, PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { runAppProcess } from '@cilium-eks/cluster-factory';
import { classify } from '../src/plan.js';
import { OFFLINE_DISCLAIMER, renderReview } from '../src/render.js';
import { diffSynthOutputs, withoutMetadata } from '../src/synth-diff.js';

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/changes.plan.json'), 'utf8'));
const ROOT = join(import.meta.dirname, '../../..');

describe('plan review', () => {
  test.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['delete'], 'delete'],
    [['read'], 'read'],
    [['no-op'], 'no-op'],
  ])('%j is %s', (actions, action) => {
    expect(classify(actions)).toBe(action);
  });

  test('updates, a replacement and a deletion: destructive changes first, with reasons; no value printed', () => {
    const review = renderReview([{ stack: 'prod-cluster', plan: FIXTURE }], { environment: 'staging' });
    expect(review.markdown).toBe(`## Plan review: staging

| stack | create | update | replace | delete |
|---|---:|---:|---:|---:|
| prod-cluster | 0 | 2 | 1 | 1 |
| **total** | 0 | 2 | 1 | 1 |

### Destructive changes (2)

- prod-cluster: **replace** \`aws_eks_cluster.main\`, reason \`replace_because_cannot_update\`, forced by \`vpc_config.0.subnet_ids\`
- prod-cluster: **delete** \`aws_subnet.old\`, reason \`delete_because_no_resource_config\`

### prod-cluster

<details><summary>2 to update</summary>

- \`aws_eks_node_group.system\` (changed: instance_types, version)
- \`aws_secretsmanager_secret_version.db\` (changed: secret_string)

</details>

<details><summary>1 to replace</summary>

- \`aws_eks_cluster.main\`

</details>

<details><summary>1 to delete</summary>

- \`aws_subnet.old\`

</details>

Output changes:

- update \`db_password\`
- create \`endpoint\`
`);
    expect(review.markdown).not.toMatch(/password-\d+/);
    expect(review).toMatchObject({ destructive: 2, refused: false });
  });

  test.each([
    // Protection comes from config (the caller's failOnDestroy), never from the name.
    { environment: 'prod', failOnDestroy: undefined, refused: false },
    { environment: 'prod', failOnDestroy: false, refused: false },
    { environment: 'prod', failOnDestroy: true, refused: true },
    { environment: 'staging', failOnDestroy: true, refused: true },
    { environment: 'staging', failOnDestroy: undefined, refused: false },
  ])('$environment with failOnDestroy=$failOnDestroy: refused=$refused', ({ environment, failOnDestroy, refused }) => {
    const review = renderReview([{ stack: 's', plan: FIXTURE }], { environment, failOnDestroy });
    expect(review.refused).toBe(refused);
    expect(review.markdown.includes('**Refused:**')).toBe(refused);
  });

  test('every stack of the app is listed: planned ones with counts, the others with the reason; offline says what it cannot show', () => {
    const review = renderReview([{ stack: 'sandbox-network', plan: { resource_changes: [] } }], {
      environment: 'sandbox',
      offline: true,
      notPlanned: [{ stack: 'sandbox-cni', reason: 'Kubernetes-side stack, a plan needs a live API server' }],
    });
    expect(review.markdown.split('\n').slice(0, 12)).toEqual([
      '## Plan review: sandbox',
      '',
      OFFLINE_DISCLAIMER,
      '',
      '| stack | create | update | replace | delete |',
      '|---|---:|---:|---:|---:|',
      '| sandbox-network | 0 | 0 | 0 | 0 |',
      '| sandbox-cni | not planned | | | |',
      '| **total** | 0 | 0 | 0 | 0 |',
      '',
      '### Not planned (1)',
      '',
    ]);
    expect(review.markdown).toContain('- sandbox-cni: Kubernetes-side stack, a plan needs a live API server\n');
    expect(OFFLINE_DISCLAIMER).toContain('against empty state');
    expect(OFFLINE_DISCLAIMER).toContain('cannot show what an existing environment would update, replace or delete');
    expect(renderReview([], { environment: 'sandbox' }).markdown).not.toContain('Offline plan');
  });

  test('the CLI exits 2 with --fail-on-destroy when resources would be lost, 0 with --allow-destroy, 0 for any name without the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-cli-'));
    const plan = join(dir, 'prod-cluster.plan.json');
    writeFileSync(plan, JSON.stringify(FIXTURE));
    const run = (...flags: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'render', plan, '--environment', 'prod', ...flags], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
    const refused = run('--fail-on-destroy');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toContain('| prod-cluster | 0 | 2 | 1 | 1 |');
    expect(run('--fail-on-destroy', '--allow-destroy').status).toBe(0);
    expect(run().status).toBe(0);
  });
});

describe('synth diff', () => {
  test('metadata is ignored; a config change shows up in exactly the stacks it touches', () => {
    expect(withoutMetadata({ '//': { x: 1 }, a: [{ '//': 2, b: 1 }] })).toEqual({ a: [{ b: 1 }] });
    const dir = mkdtempSync(join(tmpdir(), 'synth-diff-'));
    const synth = (outdir: string, config?: string) => {
      const result = runAppProcess(join(ROOT, 'apps/sandbox'), { outdir, config });
      expect(result.status, result.stderr).toBe(0);
    };
    synth(join(dir, 'base'));
    const variant = join(dir, 'variant.yaml');
    writeFileSync(variant, readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8').replace('log_retention_days: 7', 'log_retention_days: 14'));
    synth(join(dir, 'head'), variant);
    expect(diffSynthOutputs(join(dir, 'base'), join(dir, 'head'))).toEqual({
      added: [],
      removed: [],
      changed: ['sandbox-cluster'],
      unchanged: ['sandbox-cni', 'sandbox-compute', 'sandbox-network', 'sandbox-platform', 'sandbox-state'],
    });
  });
});

const mirror = process.env[PLUGIN_MIRROR_VARIABLE];

describe.skipIf(!mirror)('review of real offline plans (sandbox)', () => {
  test('every AWS stack of a new sandbox is created; nothing destroyed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-real-'));
    expect(runAppProcess(join(ROOT, 'apps/sandbox'), { outdir: join(dir, 'cdktf.out') }).status).toBe(0);
    const reports = await checkStacks({ outdir: join(dir, 'cdktf.out'), mirror, planJsonDir: join(dir, 'plans') });
    const planned = reports.filter((report) => report.planJson);
    const review = renderReview(
      planned.map((report) => ({ stack: report.stack, plan: JSON.parse(readFileSync(report.planJson!, 'utf8')) })),
      { environment: 'sandbox' },
    );
    const rows = review.markdown.split('\n').filter((line) => line.startsWith('| sandbox-') || line.startsWith('| **total**'));
    expect(rows).toEqual(planned.map((report) => `| ${report.stack} | ${report.changes!.add} | 0 | 0 | 0 |`).concat(`| **total** | ${planned.reduce((sum, report) => sum + report.changes!.add, 0)} | 0 | 0 | 0 |`));
    expect(planned.map((report) => report.stack)).toEqual(['sandbox-network', 'sandbox-cluster', 'sandbox-compute', 'sandbox-state']);
    expect(review.markdown).toContain('No resource is deleted or replaced.');
    expect(review.markdown).toContain('<details><summary>27 to create</summary>');
  });
});
