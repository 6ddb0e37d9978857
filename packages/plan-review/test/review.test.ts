import { beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { runAppProcessAsync } from '@cilium-eks/cluster-factory/testing/app-process';
import { classify, type TerraformPlan } from '../src/plan.js';
import { OFFLINE_DISCLAIMER, notCheckedSection, renderReview } from '../src/render.js';
import { diffSynthOutputs, withoutMetadata } from '../src/synth-diff.js';

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/changes.plan.json'), 'utf8'));
const ROOT = join(import.meta.dirname, '../../..');

/**
 * The sandbox app through its real entry point, side by side: its own config (read-only for the
 * tests below) and a variant with another log retention (for the synth diff). Reviews of real
 * terraform plans: review.e2e.test.ts.
 */
const synthesized = mkdtempSync(join(tmpdir(), 'review-sandbox-'));
const SANDBOX_OUT = join(synthesized, 'base');
const VARIANT_OUT = join(synthesized, 'head');
beforeAll(async () => {
  const variant = join(synthesized, 'variant.yaml');
  writeFileSync(variant, readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8').replace('log_retention_days: 7', 'log_retention_days: 14'));
  const results = await Promise.all([
    runAppProcessAsync(join(ROOT, 'apps/sandbox'), { outdir: SANDBOX_OUT }),
    runAppProcessAsync(join(ROOT, 'apps/sandbox'), { outdir: VARIANT_OUT, config: variant }),
  ]);
  for (const result of results) expect(result.status, result.stderr).toBe(0);
}, 300_000);

describe('plan review', () => {
  test.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['delete'], 'delete'],
    [['read'], 'read'],
    [['forget'], 'forget'],
    [['no-op'], 'no-op'],
  ])('%j is %s', (actions, action) => {
    expect(classify(actions)).toBe(action);
  });

  test('updates, a replacement and a deletion: destructive changes first, with reasons; changed values shown, sensitive ones masked', () => {
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
  - \`instance_types\`: \`["m6i.large"]\` → \`["m6i.xlarge"]\`
  - \`version\`: (none) → (known after apply)
- \`aws_secretsmanager_secret_version.db\` (changed: secret_string)
  - \`secret_string\`: (sensitive) → (sensitive)

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
    expect(review).toMatchObject({ destructive: 2, refused: false, upgradeRefusals: [] });
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

  test('the policy section: unsuppressed errors with the note synth recorded; otherwise one line of counts; no report: not checked', () => {
    const finding = { ruleId: 'EKS-002', severity: 'error', stack: 'prod-cluster', resource: 'aws_eks_cluster.main', message: '[EKS-002] open endpoint. Fix: close it.', status: 'violation' } as const;
    const suppressed = { ...finding, ruleId: 'IAM-002', status: 'suppressed', reason: 'the controller needs it' } as const;
    const review = (policy: Parameters<typeof renderReview>[1]['policy']) => renderReview([], { environment: 'prod', policy }).markdown.split('\n').slice(2, -6);
    expect(review({ findings: [finding, suppressed], summary: { errors: 1, warnings: 0, suppressed: 1 }, errorsLetThrough: 'written anyway' })).toEqual([
      '### Policy errors (1)',
      '',
      '> **written anyway.**',
      '',
      '- prod-cluster: `aws_eks_cluster.main`: [EKS-002] open endpoint. Fix: close it.',
      '',
    ]);
    expect(review({ findings: [suppressed], summary: { errors: 0, warnings: 2, suppressed: 1 } })).toEqual(['Policies: no unsuppressed error; 2 warning(s), 1 suppressed with a reason (policy-report.json).', '']);
    expect(review(null)).toEqual(['> **Policies not checked:** the synthesized output has no policy-report.json (synthesize it with `nx run <app>:synth`).', '']);
    expect(review(undefined)).toEqual([]);
  });

  test('the not-checked section: per object, the rules synth could not evaluate, never counted as passed', () => {
    const transition = 'spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster)';
    const group = 'spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster)';
    const entry = (object: string, evaluatedAndHeld: number, notApplicable: number, rulesNotChecked: string[]) => ({
      stack: 'prod-platform',
      resource: 'helm_release.karpenter-node-pools',
      object,
      checks: 'CEL rules (x-kubernetes-validations) of the pinned CRD',
      rules: { total: 20, evaluatedAndHeld, notChecked: rulesNotChecked.length, notApplicable },
      rulesNotChecked,
      checkedBy: 'the API server, when the object is applied',
    });
    const policy = { findings: [], summary: { errors: 0, warnings: 1, suppressed: 0 }, notChecked: [entry('NodePool/general', 16, 1, [transition, group]), entry('NodePool/batch', 17, 0, [transition])] };
    expect(renderReview([], { environment: 'prod', policy }).markdown.split('\n').slice(2, -6)).toEqual([
      'Policies: no unsuppressed error; 1 warning(s), 0 suppressed with a reason (policy-report.json).',
      '',
      '### Not checked at synth (3 rule(s) of 2 object(s))',
      '',
      'Not passed: synth could not evaluate these rules; the API server checks them when the object is applied.',
      '',
      '- prod-platform: `helm_release.karpenter-node-pools` NodePool/general: 2 of 20 CEL rules (x-kubernetes-validations) of the pinned CRD not checked (16 evaluated and held, 1 not applicable); checked by the API server, when the object is applied:',
      `  - \`${transition}\``,
      `  - \`${group}\``,
      '- prod-platform: `helm_release.karpenter-node-pools` NodePool/batch: 1 of 20 CEL rules (x-kubernetes-validations) of the pinned CRD not checked (17 evaluated and held, 0 not applicable); checked by the API server, when the object is applied:',
      `  - \`${transition}\``,
      '',
    ]);
    expect(notCheckedSection([])).toEqual([]);
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

/** A plan with `count` changes: creates, updates, deletes and replacements in turn. */
function generatedPlan(count: number): TerraformPlan {
  const actions = [['create'], ['update'], ['delete'], ['delete', 'create']];
  return {
    resource_changes: Array.from({ length: count }, (_, index) => ({
      address: `aws_subnet.s${String(index).padStart(6, '0')}`,
      type: 'aws_subnet',
      mode: 'managed',
      change: { actions: actions[index % 4]!, before: { cidr_block: `10.0.${index % 256}.0/24` }, after: { cidr_block: `10.1.${index % 256}.0/24` } },
    })),
  };
}

describe('plan review at scale', () => {
  /** One rendering of a plan of `count` changes, timed. */
  const timed = (plan: TerraformPlan) => {
    const start = performance.now();
    const markdown = renderReview([{ stack: 'big', plan }], { environment: 'staging' }).markdown;
    return { ms: performance.now() - start, markdown };
  };

  test('rendering time grows linearly: 80,000 changes take well under 16x the time of 20,000 (quadratic), and the output is complete', () => {
    timed(generatedPlan(5_000)); // warm-up
    // The fastest of several runs of each size, taken in turns: on a shared machine a run can be
    // slowed down by others' work, and in turns both sizes meet the same load.
    const [smallPlan, largePlan] = [generatedPlan(20_000), generatedPlan(80_000)];
    let small = { ms: Infinity, markdown: '' };
    let large = { ms: Infinity, markdown: '' };
    for (let run = 0; run < 5; run += 1) {
      const [a, b] = [timed(smallPlan), timed(largePlan)];
      if (a.ms < small.ms) small = a;
      if (b.ms < large.ms) large = b;
    }
    expect(large.ms, `20k: ${small.ms.toFixed(0)} ms, 80k: ${large.ms.toFixed(0)} ms`).toBeLessThan(Math.max(9 * small.ms, 400));
    expect(large.ms).toBeLessThan(15_000);
    const lines = large.markdown.split('\n');
    expect(lines).toContain('| big | 20000 | 20000 | 20000 | 20000 |');
    expect(lines).toContain('### Destructive changes (40000)');
    expect(lines.filter((line) => /^- `aws_subnet\.s\d{6}`/.test(line))).toHaveLength(80_000);
    expect(lines.filter((line) => line.startsWith('- big: **'))).toHaveLength(40_000);
    expect(lines).toContain('- `aws_subnet.s000001` (changed: cidr_block)');
  }, 120_000);
});

describe('forget', () => {
  test('a removed block with destroy = false (real terraform 1.11 plan): forget is shown, counted and called out; nothing is destroyed', () => {
    const plan = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/forget.plan.json'), 'utf8'));
    expect(plan.resource_changes.map((change: { change: { actions: string[] } }) => change.change.actions)).toEqual([['no-op'], ['forget']]);
    const review = renderReview([{ stack: 'sandbox-network', plan }], { environment: 'prod' });
    expect(review.markdown).toBe(`## Plan review: prod

| stack | create | update | replace | delete | forget |
|---|---:|---:|---:|---:|---:|
| sandbox-network | 0 | 0 | 0 | 0 | 1 |
| **total** | 0 | 0 | 0 | 0 | 1 |

No resource is deleted or replaced.

### Removed from state, not destroyed (1)

Terraform stops managing these objects; they keep running (and costing) in AWS.

- sandbox-network: **forget** \`terraform_data.old\`

### sandbox-network

<details><summary>1 to forget</summary>

- \`terraform_data.old\`

</details>
`);
    expect(review).toMatchObject({ destructive: 0, refused: false });
  });
});

describe('plan-review render refuses what is not a plan', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'render', ...args, '--environment', 'staging'], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'review-refuse-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
  const EXPECTED = 'expected the output of `terraform show -json <planfile>`';

  test.each([
    ['an empty object', () => file('empty.json', '{}'), 'no format_version'],
    ['an empty list', () => file('list.json', '[]'), 'a list at the top level'],
    ['null', () => file('null.json', 'null'), 'not an object at the top level'],
    ['text', () => file('text.json', 'Plan: 1 to add'), 'invalid JSON: Unexpected token \'P\', "Plan: 1 to add" is not valid JSON'],
    ['terraform show -json of a state (real)', () => fixture('state.show.json'), 'this is `terraform show -json` of a state'],
    ['a state file (real)', () => fixture('terraform.tfstate.json'), 'this is a Terraform state file'],
    ['a change without actions', () => file('no-actions.json', '{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{}}]}'), 'resource_changes[0] has no address or no change.actions'],
  ])('%s: exit 1, naming the file, nothing on stdout', (_name, make, reason) => {
    const path = make();
    const result = cli(path);
    expect(result.stderr).toBe(`plan-review: ${path}: not a Terraform plan (${reason}); ${EXPECTED}\n`);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });

  test('one bad file among good ones refuses the whole review', () => {
    const good = file('good.plan.json', readFileSync(fixture('forget.plan.json'), 'utf8'));
    const bad = file('bad.plan.json', '{}');
    const result = cli(good, bad);
    expect(result.stderr).toBe(`plan-review: ${bad}: not a Terraform plan (no format_version); ${EXPECTED}\n`);
    expect(result.status).toBe(1);
  });
});

describe('plan-review offline', () => {
  test('leaves no temporary plan folder behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-offline-'));
    const outdir = SANDBOX_OUT;
    const temp = join(dir, 'tmp');
    mkdirSync(temp);
    // An empty mirror: no stack can be planned, so this is quick; the folder is created all the same.
    const emptyMirror = join(dir, 'empty-mirror');
    mkdirSync(emptyMirror);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'offline', outdir, '--environment', 'sandbox'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, TMPDIR: temp, [PLUGIN_MIRROR_VARIABLE]: emptyMirror },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/sandbox-network +NOT CHECKED: needs registry\.terraform\.io\/hashicorp\/aws/);
    const { summary } = JSON.parse(readFileSync(join(outdir, 'policy-report.json'), 'utf8')) as { summary: { warnings: number; suppressed: number } };
    expect(result.stdout).toContain(`\nPolicies: no unsuppressed error; ${summary.warnings} warning(s), ${summary.suppressed} suppressed with a reason (policy-report.json).\n`);
    // The sandbox's one NodePool: its 3 transition rules are listed as not checked, not passed.
    expect(result.stdout).toContain(
      [
        '### Not checked at synth (3 rule(s) of 1 object(s))',
        '',
        'Not passed: synth could not evaluate these rules; the API server checks them when the object is applied.',
        '',
        '- sandbox-platform: `helm_release.karpenter-node-pools` NodePool/general: 3 of 20 CEL rules (x-kubernetes-validations) of the pinned CRD not checked (16 evaluated and held, 1 not applicable); checked by the API server, when the object is applied:',
        '  - `spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster)`',
        '  - `spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster)`',
        '  - `spec.template.spec.nodeClassRef: self.kind == oldSelf.kind (a transition rule: it compares with the object already in the cluster)`',
        '',
      ].join('\n'),
    );
    // tsx keeps its compile cache there; nothing else may remain.
    expect(readdirSync(temp).filter((entry) => !entry.startsWith('tsx-'))).toEqual([]);
  }, 300_000);
});

describe('synth diff', () => {
  test('metadata is ignored; a config change shows up in exactly the stacks it touches', () => {
    expect(withoutMetadata({ '//': { x: 1 }, a: [{ '//': 2, b: 1 }] })).toEqual({ a: [{ b: 1 }] });
    expect(readFileSync(join(synthesized, 'variant.yaml'), 'utf8')).toMatch(/^log_retention_days: 14$/m);
    expect(diffSynthOutputs(SANDBOX_OUT, VARIANT_OUT)).toEqual({
      added: [],
      removed: [],
      changed: ['sandbox-cluster'],
      unchanged: ['sandbox-cni', 'sandbox-compute', 'sandbox-network', 'sandbox-platform', 'sandbox-state'],
    });
  });
});
