import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStacks, cliConfigOf, PLUGIN_MIRROR_VARIABLE, SharedAwsProvider, whyNoProviders, type StackReport } from '@cilium-eks/terraform-harness';
import { skippedWhen } from '../../vitest.shared.js';
import { APPS } from '../lib/apps.js';
import { PLAN_FILE, planCheckApply, planFileSha256, type PlanCheckApplyOptions } from '../lib/plan-check-apply.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
const AWS_STACKS = ['sandbox-network', 'sandbox-cluster', 'sandbox-compute'];
const STEPS = ['init', 'plan', 'show', 'check', 'apply'];

// Offline (no mirror) there is nothing to install providers from; in CI they come from the registry.
describe('plan, check, apply against the offline harness (sandbox)', skippedWhen(whyNoProviders({ registryInCi: true })), () => {
  let outdir: string;
  let reports: StackReport[];
  let provider: SharedAwsProvider;
  const workdirOf = (stack: string) => reports.find((report) => report.stack === stack)!.workdir!;
  const extraFiles: string[] = [];

  beforeAll(async () => {
    // The sandbox output (shared, read-only): the harness works on copies of its stacks.
    outdir = APPS.sandbox!.shared();
    // The harness prepares each AWS stack for an offline run: local backend, placeholder credentials and remote state.
    // Its own validate and plan of these stacks are checked elsewhere (plan-review's e2e test, the validate target).
    reports = await checkStacks({ outdir, mirror, keepWorkdirs: true, prepareOnly: true });
    expect(reports.filter((report) => report.workdir).map((report) => [report.stack, report.status])).toEqual([...AWS_STACKS, 'sandbox-state'].map((stack) => [stack, 'prepared']));
    // The flow's plans and shows attach to one aws provider process (its init runs as ever):
    // the same plans, without starting the plugin in every run.
    provider = (await SharedAwsProvider.start(workdirOf(AWS_STACKS[0]!), { ...process.env, TF_CLI_CONFIG_FILE: cliConfigOf(workdirOf(AWS_STACKS[0]!)) }))!;
  }, 300_000);

  afterAll(() => provider?.stop());

  afterEach(() => {
    for (const file of extraFiles.splice(0)) rmSync(file, { force: true });
  });

  /** Real terraform for init, plan and show; apply is recorded (it cannot reach AWS offline). */
  function run(overrides: Partial<PlanCheckApplyOptions> = {}) {
    const applied: Array<{ cwd: string; planSha256: string }> = [];
    const reviewDir = mkdtempSync(join(tmpdir(), 'plan-check-apply-review-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfigOf(workdirOf('sandbox-network')) };
    delete env.TF_PLUGIN_CACHE_DIR;
    const result = planCheckApply({
      outdir,
      environment: 'sandbox',
      protected: false,
      reviewDir,
      stacks: AWS_STACKS,
      workdir: (stack) => workdirOf(stack.name),
      env,
      planFlags: ['-refresh=false', '-lock=false'],
      terraform: provider.terraform,
      apply: async (cwd, planFile) => {
        // What apply is handed, byte for byte: the test compares it with the file that was shown and checked.
        applied.push({ cwd, planSha256: planFileSha256(join(cwd, planFile)) });
        return { code: 0, stdout: '', stderr: '' };
      },
      ...overrides,
    });
    return result.then((value) => ({ ...value, applied, reviewDir }));
  }

  const sequence = (steps: ReadonlyArray<{ stack: string; step: string; ok: boolean }>) => steps.map(({ stack, step, ok }) => `${stack} ${step}${ok ? '' : ' FAILED'}`);

  test('every stack in dependency order: init, plan to a file, show, check, apply that file', async () => {
    const result = await run();
    expect(result.ok).toBe(true);
    expect(sequence(result.steps)).toEqual(AWS_STACKS.flatMap((stack) => STEPS.map((step) => `${stack} ${step}`)));
    expect(result.applied.map((entry) => entry.cwd)).toEqual(AWS_STACKS.map(workdirOf));
    const shown = result.steps.filter((step) => step.step === 'show');
    expect(result.applied.map((entry) => entry.planSha256)).toEqual(shown.map((step) => step.planSha256));
    expect(shown.map((step) => step.planSha256)).toEqual(AWS_STACKS.map((stack) => planFileSha256(join(workdirOf(stack), PLAN_FILE))));
    // The JSON the check read is that file's, as terraform shows it (one stack: the code path is the same for each).
    const last = AWS_STACKS.at(-1)!;
    const show = await provider.terraform(workdirOf(last), ['show', '-json', PLAN_FILE], { ...process.env, TF_CLI_CONFIG_FILE: cliConfigOf(workdirOf(last)) });
    expect(JSON.parse(show.stdout)).toEqual(JSON.parse(readFileSync(join(result.reviewDir, `${last}.plan.json`), 'utf8')));
    expect(result.review).toContain('| sandbox-network | ');
    expect(result.review).toContain('- sandbox-cni: not selected for this run');
    expect(result.review).toContain('- sandbox-state: state bootstrap with local state: deployed by hand until migrated (docs/STATE_BOOTSTRAP.md)');
  }, 300_000);

  test('a plan that fails stops the deploy: nothing after it is planned or applied', async () => {
    const broken = join(workdirOf('sandbox-cluster'), 'broken.tf.json');
    writeFileSync(broken, JSON.stringify({ resource: { terraform_data: { broken: { input: '${var.missing}' } } } }));
    extraFiles.push(broken);
    const result = await run();
    expect(result.ok).toBe(false);
    expect(sequence(result.steps)).toEqual([...STEPS.map((step) => `sandbox-network ${step}`), 'sandbox-cluster init', 'sandbox-cluster plan FAILED']);
    expect(result.steps.at(-1)!.detail).toContain('Reference to undeclared input variable');
    expect(result.applied.map((entry) => entry.cwd)).toEqual([workdirOf('sandbox-network')]);
    expect(result.review).toContain('- sandbox-compute: not reached: an earlier stack failed');
  }, 300_000);

  test('a plan file that changes after it was shown and checked is never applied', async () => {
    const result = await run({
      stacks: ['sandbox-network'],
      terraform: async (cwd, args, runEnv) => {
        const done = await provider.terraform(cwd, args, runEnv);
        // Something rewrites the file between the check and apply.
        if (args[0] === 'show') appendFileSync(join(cwd, PLAN_FILE), 'tampered');
        return done;
      },
    });
    expect(result.ok).toBe(false);
    expect(sequence(result.steps)).toEqual(['sandbox-network init', 'sandbox-network plan', 'sandbox-network show', 'sandbox-network check', 'sandbox-network apply FAILED']);
    const shown = result.steps.find((step) => step.step === 'show')!.planSha256!;
    expect(result.steps.at(-1)!.detail).toBe(`plan.bin changed after it was checked (SHA-256 ${shown} when shown); nothing was applied`);
    expect(result.applied).toEqual([]);
  }, 300_000);

  describe('a plan that deletes a resource', () => {
    const withOrphan = () => {
      // State holding a queue the configuration no longer has: the plan deletes it.
      const state = join(workdirOf('sandbox-network'), 'terraform.tfstate');
      writeFileSync(
        state,
        JSON.stringify({
          version: 4,
          terraform_version: '1.11.4',
          serial: 1,
          lineage: 'plan-check-apply-test',
          outputs: {},
          resources: [
            {
              mode: 'managed',
              type: 'aws_sqs_queue',
              name: 'retired',
              provider: 'provider["registry.terraform.io/hashicorp/aws"]',
              instances: [{ schema_version: 0, attributes: { id: 'https://sqs.us-west-2.amazonaws.com/111111111111/retired', name: 'retired' } }],
            },
          ],
        }),
      );
      extraFiles.push(state);
    };

    test('is refused in a protected environment, before anything is applied', async () => {
      withOrphan();
      const result = await run({ protected: true });
      expect(result.ok).toBe(false);
      expect(sequence(result.steps)).toEqual(['sandbox-network init', 'sandbox-network plan', 'sandbox-network show', 'sandbox-network check FAILED']);
      expect(result.steps.at(-1)!.detail).toBe('1 deletion(s) or replacement(s) in protected sandbox; rerun with the explicit allow-destroy override if intended');
      expect(result.applied).toEqual([]);
      expect(readFileSync(join(result.reviewDir, 'checks.md'), 'utf8')).toContain('- sandbox-network: **delete** `aws_sqs_queue.retired`');
    }, 300_000);

    test.each([
      { protected: true, allowDestroy: true },
      { protected: false, allowDestroy: false },
    ])('goes ahead with protected=$protected, allowDestroy=$allowDestroy', async (mode) => {
      withOrphan();
      const result = await run({ ...mode, stacks: ['sandbox-network'] });
      expect(result.ok).toBe(true);
      expect(sequence(result.steps)).toEqual(STEPS.map((step) => `sandbox-network ${step}`));
      expect(result.applied).toHaveLength(1);
      expect(result.review).toContain('- sandbox-network: **delete** `aws_sqs_queue.retired`');
    }, 300_000);
  });
});
