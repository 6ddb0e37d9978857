import { beforeAll, describe, expect, test } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAppProcessAsync } from '@cilium-eks/cluster-factory/testing/app-process';
import { APPS } from '../lib/apps.js';
import { appConfigPath, isProtected, planCheckApply, type PlanCheckApplyOptions } from '../lib/plan-check-apply.js';

const ROOT = join(import.meta.dirname, '../..');

// Against the real terraform (init, plan, show; apply recorded): plan-check-apply.e2e.test.ts.

describe('plan-only review (pull requests) and protection from config', () => {
  test('every stack is planned without a lock or listed as not planned with the reason; nothing is checked or applied', async () => {
    // Recorded terraform writes nothing: the shared sandbox output serves.
    const outdir = APPS.sandbox!.shared();
    const calls: string[] = [];
    const result = await planCheckApply({
      outdir,
      environment: 'sandbox',
      protected: true,
      planOnly: true,
      reviewDir: mkdtempSync(join(tmpdir(), 'plan-only-review-')),
      // Recorded terraform: the cni stack cannot be planned (its providers cannot reach a cluster that does not exist yet).
      terraform: async (cwd, args) => {
        const stack = cwd.split('/').at(-1)!;
        calls.push(`${stack} ${args.join(' ')}`);
        if (args[0] === 'plan' && stack === 'sandbox-cni') return { code: 1, stdout: '', stderr: 'Error: Kubernetes cluster unreachable\nmore' };
        return { code: 0, stdout: args[0] === 'show' ? JSON.stringify({ resource_changes: [] }) : '', stderr: '' };
      },
      apply: () => Promise.reject(new Error('a review never applies')),
    });
    expect(result.ok).toBe(true);
    const stacks = ['sandbox-network', 'sandbox-cluster', 'sandbox-cni', 'sandbox-compute', 'sandbox-platform'];
    expect(calls).toEqual(
      stacks.flatMap((stack) => [
        `${stack} init -input=false -no-color`,
        `${stack} plan -input=false -no-color -out=plan.bin -lock=false`,
        ...(stack === 'sandbox-cni' ? [] : [`${stack} show -json -no-color plan.bin`]),
      ]),
    );
    expect(result.steps.map((step) => step.step)).not.toContain('apply');
    expect(result.review).toContain('| sandbox-cni | not planned | | | |');
    expect(result.review).toContain('- sandbox-cni: terraform plan failed: Error: Kubernetes cluster unreachable\n');
    expect(result.review).toContain('- sandbox-state: state bootstrap with local state: deployed by hand until migrated (docs/STATE_BOOTSTRAP.md)');
  }, 60_000);

  test.each([
    ['sandbox', false],
    ['prod', true],
    ['multi-region', true],
  ])('%s: protected=%s, read from protect_stateful_resources in its config', (app, expected) => {
    expect(appConfigPath(ROOT, app, {})).toBe(join(ROOT, 'environments', `${app}.yaml`));
    expect(isProtected(appConfigPath(ROOT, app, {}))).toBe(expected);
  });

  test('a renamed environment keeps its protection: the name plays no part', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'renamed-')), 'production-eu.yaml');
    writeFileSync(file, readFileSync(join(ROOT, 'environments/prod.yaml'), 'utf8').replace(/^name: prod$/m, 'name: production-eu'));
    expect(readFileSync(file, 'utf8')).toMatch(/^name: production-eu$/m);
    expect(isProtected(file)).toBe(true);
    expect(appConfigPath(ROOT, 'prod', { CLUSTER_FACTORY_CONFIG: file })).toBe(file);
  });
});

describe('policy errors let through by CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS', () => {
  const work = mkdtempSync(join(tmpdir(), 'policy-bypass-'));
  const outdir = join(work, 'cdktf.out');
  const OPEN_ENDPOINT = '[EKS-002 / CKV_AWS_38] The public API endpoint is not open to 0.0.0.0/0: the public endpoint accepts 0.0.0.0/0. Fix: list your ranges in endpoint_access.public_cidrs, or turn the public endpoint off.';
  const LET_THROUGH =
    '1 unsuppressed policy error(s) written anyway because CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS was set; deploys of protected environments refuse this output. Fix each, or suppress it with a reason (docs/POLICIES.md)';
  let stderr: string;

  beforeAll(async () => {
    // The reproduction of issue 24: a sandbox variant whose public endpoint is open to the world.
    const variant = join(work, 'sandbox.yaml');
    writeFileSync(variant, readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8').replace('public_cidrs: [203.0.113.0/24]', 'public_cidrs: [0.0.0.0/0]'));
    const refused = await runAppProcessAsync(APPS.sandbox!.dir, { outdir, config: variant });
    expect(refused.status, refused.stderr).toBe(1);
    const letThrough = await runAppProcessAsync(APPS.sandbox!.dir, { outdir, config: variant, env: { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: '1' } });
    expect(letThrough.status, letThrough.stderr).toBe(0);
    stderr = letThrough.stderr;
  }, 120_000);

  test('synth says what it wrote, and policy-report.json records it', () => {
    expect(stderr).toContain(`[error] sandbox-cluster/control-plane/cluster: ${OPEN_ENDPOINT}\n`);
    expect(stderr.endsWith(`WARNING: ${LET_THROUGH}.\n`)).toBe(true);
    const report = JSON.parse(readFileSync(join(outdir, 'policy-report.json'), 'utf8')) as { summary: { errors: number }; errorsLetThrough: string };
    expect(report.summary.errors).toBe(1);
    expect(report.errorsLetThrough).toBe(LET_THROUGH);
  });

  const options = (extra: Partial<PlanCheckApplyOptions>, calls: string[]): PlanCheckApplyOptions => ({
    outdir,
    environment: 'sandbox',
    protected: true,
    reviewDir: mkdtempSync(join(tmpdir(), 'policy-bypass-review-')),
    terraform: async (cwd, args) => {
      calls.push(`${cwd.split('/').at(-1)} ${args[0]}`);
      // A plan file for apply to be handed (this output is the test's own copy).
      if (args[0] === 'plan') writeFileSync(join(cwd, 'plan.bin'), 'recorded plan');
      return { code: 0, stdout: args[0] === 'show' ? JSON.stringify({ resource_changes: [] }) : '', stderr: '' };
    },
    apply: async (cwd) => {
      calls.push(`${cwd.split('/').at(-1)} apply`);
      return { code: 0, stdout: '', stderr: '' };
    },
    ...extra,
  });
  const policySection = `### Policy errors (1)\n\n> **${LET_THROUGH}.**\n\n- sandbox-cluster: \`aws_eks_cluster.control-plane_cluster_47C848BD\`: ${OPEN_ENDPOINT}\n`;

  test('a protected environment refuses the output before any terraform runs; allow-destroy does not override it', async () => {
    const calls: string[] = [];
    const result = await planCheckApply(options({ allowDestroy: true }, calls));
    expect(result.ok).toBe(false);
    expect(calls).toEqual([]);
    expect(result.steps).toEqual([
      { stack: 'sandbox', step: 'policy', ok: false, detail: `1 unsuppressed policy error(s) in protected sandbox; fix them or suppress each with a reason and approvedBy (docs/POLICIES.md):\n  sandbox-cluster: ${OPEN_ENDPOINT}` },
    ]);
    expect(result.review).toContain(policySection);
    expect(result.review).toContain('- sandbox-network: not reached: the output was refused for its policy errors (see above)');
  });

  test('a review (plan only) of a protected environment plans every stack, shows the errors and fails', async () => {
    const calls: string[] = [];
    const result = await planCheckApply(options({ planOnly: true }, calls));
    expect(result.ok).toBe(false);
    expect(calls.filter((call) => call.endsWith(' show'))).toHaveLength(5);
    expect(result.review).toContain(policySection);
  });

  test('an unprotected environment deploys it, with the errors at the top of its review', async () => {
    const calls: string[] = [];
    const result = await planCheckApply(options({ protected: false }, calls));
    expect(result.ok).toBe(true);
    expect(calls.filter((call) => call.endsWith(' apply'))).toHaveLength(5);
    // Then the CEL rules synth could not check (the sandbox's NodePool general), then the counts.
    const notChecked = [
      '### Not checked at synth (3 rule(s) of 1 object(s))',
      '',
      'Not passed: synth could not evaluate these rules; the API server checks them when the object is applied.',
      '',
      '- sandbox-platform: `helm_release.karpenter-node-pools` NodePool/general: 3 of 20 CEL rules (x-kubernetes-validations) of the pinned CRD not checked (16 evaluated and held, 1 not applicable); checked by the API server, when the object is applied:',
      '  - `spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster)`',
      '  - `spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster)`',
      '  - `spec.template.spec.nodeClassRef: self.kind == oldSelf.kind (a transition rule: it compares with the object already in the cluster)`',
    ].join('\n');
    const top = `## Plan review: sandbox\n\n${policySection}\n${notChecked}\n\n| stack |`;
    expect(result.review.slice(0, top.length)).toBe(top);
  });

  test('an output without policy-report.json is refused in a protected environment: its policies were not checked', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'policy-missing-')), 'cdktf.out');
    cpSync(APPS.sandbox!.shared(), copy, { recursive: true });
    rmSync(join(copy, 'policy-report.json'));
    const calls: string[] = [];
    const result = await planCheckApply(options({ outdir: copy }, calls));
    expect(result.ok).toBe(false);
    expect(calls).toEqual([]);
    expect(result.steps[0]!.detail).toBe('the synthesized output has no policy-report.json: its policies were not checked; synthesize it with nx run sandbox:synth');
    expect(result.review).toContain('> **Policies not checked:** the synthesized output has no policy-report.json (synthesize it with `nx run <app>:synth`).\n');
  });
});
