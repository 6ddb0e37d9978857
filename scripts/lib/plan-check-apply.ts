/**
 * Deploys a synthesized app one stack at a time, in dependency order, applying exactly the
 * plan that was checked: terraform init, plan to a file, show it as JSON, check it with the
 * plan review (a protected environment refuses deletions and replacements unless explicitly
 * allowed), apply that file. The first failure stops everything. Before any stack, a protected
 * environment refuses an output whose policy report has unsuppressed errors (or that has none).
 * The plan file's SHA-256 is taken before it is shown; apply refuses a file that changed since.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { environmentSchema, loadConfig, multiRegionSchema, resolveConfigPath } from '@cilium-eks/cluster-factory';
import { POLICY_REPORT_FILE, readPolicyReport, unsuppressedErrors, type PolicyReport } from '@cilium-eks/cluster-factory/policy-report';
import { firstLines, readSynthesizedStacks, terraform, type SynthesizedStack, type TerraformResult } from '@cilium-eks/terraform-harness';
import { renderReview, type TerraformPlan } from '@cilium-eks/plan-review';

/** Control-plane versions a plan leaves behind (cluster name -> version), for the node-group check of later stacks. */
function controlPlaneVersions(plan: TerraformPlan): Array<[string, string]> {
  return (plan.resource_changes ?? [])
    .filter((change) => change.type === 'aws_eks_cluster' && change.mode !== 'data')
    .map((change) => (change.change.after ?? change.change.before ?? {}) as { name?: unknown; version?: unknown })
    .filter((values): values is { name: string; version: string } => typeof values.name === 'string' && typeof values.version === 'string')
    .map((values) => [values.name, values.version]);
}
import { deployableStacks, inDeploymentOrder } from './deploy-order.js';

export type Step = 'policy' | 'init' | 'plan' | 'show' | 'check' | 'apply';

export interface StepRecord {
  /** The stack, or the environment for a step about the whole output (policy). */
  readonly stack: string;
  readonly step: Step;
  readonly ok: boolean;
  /** Why the step failed or was refused. */
  readonly detail?: string;
  /** `show` of a deploy: the SHA-256 of the plan file it showed, which the check read and apply must get. */
  readonly planSha256?: string;
}

export type TerraformRunner = (cwd: string, args: string[], env: NodeJS.ProcessEnv) => Promise<TerraformResult>;

export interface PlanCheckApplyOptions {
  /** The app's cdktf.out. */
  readonly outdir: string;
  readonly environment: string;
  /** From the environment's config (`protect_stateful_resources`): refuse deletions and replacements. */
  readonly protected: boolean;
  /** Explicit override for a protected environment. @default false */
  readonly allowDestroy?: boolean;
  /** Where `<stack>.plan.json` and `review.md` are written. */
  readonly reviewDir: string;
  /** Only these stacks (still in deployment order). @default every deployable stack (deployableStacks) */
  readonly stacks?: readonly string[];
  /** Plan, show and review only; a stack that cannot be planned is listed with the reason. @default false */
  readonly planOnly?: boolean;
  /** Where terraform runs for a stack. @default the stack's directory in outdir */
  readonly workdir?: (stack: SynthesizedStack) => string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra `terraform plan` flags (the offline test plans with -refresh=false). @default [] */
  readonly planFlags?: readonly string[];
  /** @default the real terraform */
  readonly terraform?: TerraformRunner;
  /** Applies the checked plan file. @default `terraform apply -input=false plan.bin` */
  readonly apply?: (cwd: string, planFile: string, env: NodeJS.ProcessEnv) => Promise<TerraformResult>;
  readonly log?: (line: string) => void;
}

export interface PlanCheckApplyResult {
  readonly ok: boolean;
  readonly steps: readonly StepRecord[];
  /** The Markdown review of every planned stack (and those that could not be planned). */
  readonly review: string;
}

/** The plan file terraform writes and apply reads, in each stack's working directory. */
export const PLAN_FILE = 'plan.bin';

/**
 * Why a protected environment refuses a synthesized output before planning it: unsuppressed
 * policy errors (written only when synth was told to continue past them), or no policy report
 * at all. Suppressions with a reason (and approvedBy) are the supported way past a rule.
 */
export function policyRefusal(policy: PolicyReport | undefined, environment: string): string | undefined {
  if (!policy) return `the synthesized output has no ${POLICY_REPORT_FILE}: its policies were not checked; synthesize it with nx run ${environment}:synth`;
  const errors = unsuppressedErrors(policy);
  if (errors.length === 0) return undefined;
  return [`${errors.length} unsuppressed policy error(s) in protected ${environment}; fix them or suppress each with a reason and approvedBy (docs/POLICIES.md):`, ...errors.map((finding) => `  ${finding.stack}: ${finding.message}`)].join('\n');
}

/** Whether an environment's config protects it (`protect_stateful_resources`), validated with its own schema. */
export function isProtected(configPath: string): boolean {
  const raw = parse(readFileSync(configPath, 'utf8')) as Record<string, unknown> | null;
  // One call per schema: a call with the union of the two schemas cost 3.6 s of type-checking.
  return raw && 'regions' in raw ? loadConfig(configPath, multiRegionSchema).protect_stateful_resources : loadConfig(configPath, environmentSchema).protect_stateful_resources;
}

/** The config file an app's synth read: CLUSTER_FACTORY_CONFIG, else environments/<app>.yaml. */
export function appConfigPath(root: string, app: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolveConfigPath(join(root, 'environments', `${app}.yaml`), env);
}

export async function planCheckApply(options: PlanCheckApplyOptions): Promise<PlanCheckApplyResult> {
  const run = options.terraform ?? terraform;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const apply = options.apply ?? ((cwd, planFile, applyEnv) => run(cwd, ['apply', '-input=false', '-no-color', planFile], applyEnv));
  const refuse = options.protected && !options.allowDestroy;
  // A review takes no lock: pull requests plan with a read-only role.
  const planFlags = [...(options.planFlags ?? []), ...(options.planOnly && !options.planFlags?.includes('-lock=false') ? ['-lock=false'] : [])];
  const all = inDeploymentOrder(readSynthesizedStacks(options.outdir));
  const deployable = deployableStacks(all).map((stack) => stack.name);
  const unknown = (options.stacks ?? []).filter((name) => !deployable.includes(name));
  if (unknown.length > 0) throw new Error(`not deployable stacks of ${options.outdir}: ${unknown.join(', ')} (deployable: ${deployable.join(', ')})`);
  const selected = all.filter((stack) => deployable.includes(stack.name) && (!options.stacks || options.stacks.includes(stack.name)));
  mkdirSync(options.reviewDir, { recursive: true });
  const policy = readPolicyReport(options.outdir);

  const steps: StepRecord[] = [];
  const planned: Array<{ stack: string; plan: TerraformPlan }> = [];
  // Control planes this run has planned (and, before the next stack, applied).
  const controlPlanes = new Map<string, string>();
  const notPlanned: Array<{ stack: string; reason: string }> = [];
  const record = (stack: string, step: Step, result: { ok: boolean; detail?: string; planSha256?: string }) => {
    steps.push({ stack, step, ...result });
    log(`${stack}: ${step} ${result.ok ? 'ok' : `FAILED\n${result.detail ?? ''}`}`);
    return result.ok;
  };
  const finish = (ok: boolean): PlanCheckApplyResult => {
    // Every stack of the app appears in the review: planned, or not planned with the reason.
    const reached = new Set([...planned.map((entry) => entry.stack), ...notPlanned.map((entry) => entry.stack)]);
    const unreached = all.filter((stack) => !reached.has(stack.name)).map((stack) => ({ stack: stack.name, reason: reasonNotReached(stack.name, deployable, selected, refusedPolicy !== undefined) }));
    const review = renderReview(planned, { environment: options.environment, failOnDestroy: refuse, notPlanned: [...notPlanned, ...unreached], policy: policy ?? null }).markdown;
    writeFileSync(join(options.reviewDir, 'review.md'), review);
    return { ok, steps, review };
  };

  // Protection against policy errors has no override: a suppression with a reason is the way.
  const refusedPolicy = options.protected ? policyRefusal(policy, options.environment) : undefined;
  if (refusedPolicy) {
    record(options.environment, 'policy', { ok: false, detail: refusedPolicy });
    // A review still shows every plan; a deploy stops before the first stack.
    if (!options.planOnly) return finish(false);
  }

  for (const stack of selected) {
    const cwd = options.workdir?.(stack) ?? join(options.outdir, 'stacks', stack.name);
    const init = await run(cwd, ['init', '-input=false', '-no-color'], env);
    if (!record(stack.name, 'init', { ok: init.code === 0, detail: firstLines(init.stderr || init.stdout) })) {
      if (options.planOnly) {
        notPlanned.push({ stack: stack.name, reason: `terraform init failed: ${firstLines(init.stderr || init.stdout, 1)}` });
        continue;
      }
      return finish(false);
    }
    const plan = await run(cwd, ['plan', '-input=false', '-no-color', `-out=${PLAN_FILE}`, ...planFlags], env);
    if (!record(stack.name, 'plan', { ok: plan.code === 0, detail: firstLines(plan.stderr || plan.stdout) })) {
      if (options.planOnly) {
        notPlanned.push({ stack: stack.name, reason: `terraform plan failed: ${firstLines(plan.stderr || plan.stdout, 1)}` });
        continue;
      }
      return finish(false);
    }
    // A review applies nothing; a deploy remembers the bytes it shows and checks.
    const checked = options.planOnly ? undefined : planFileSha256(join(cwd, PLAN_FILE));
    const show = await run(cwd, ['show', '-json', '-no-color', PLAN_FILE], env);
    if (!record(stack.name, 'show', { ok: show.code === 0, detail: firstLines(show.stderr), planSha256: checked })) return finish(false);
    writeFileSync(join(options.reviewDir, `${stack.name}.plan.json`), show.stdout);
    const planJson = JSON.parse(show.stdout) as TerraformPlan;
    planned.push({ stack: stack.name, plan: planJson });
    if (options.planOnly) continue;

    const check = renderReview([{ stack: stack.name, plan: planJson }], { environment: options.environment, failOnDestroy: refuse, controlPlanes });
    appendFileSync(join(options.reviewDir, 'checks.md'), check.markdown);
    const reasons = [
      ...check.upgradeRefusals,
      ...(refuse && check.destructive > 0 ? [`${check.destructive} deletion(s) or replacement(s) in protected ${options.environment}; rerun with the explicit allow-destroy override if intended`] : []),
    ];
    if (!record(stack.name, 'check', { ok: !check.refused, detail: reasons.length > 0 ? reasons.join('\n') : undefined })) return finish(false);
    for (const [cluster, version] of controlPlaneVersions(planJson)) controlPlanes.set(cluster, version);

    if (planFileSha256(join(cwd, PLAN_FILE)) !== checked) {
      record(stack.name, 'apply', { ok: false, detail: `${PLAN_FILE} changed after it was checked (SHA-256 ${checked} when shown); nothing was applied` });
      return finish(false);
    }
    const applied = await apply(cwd, PLAN_FILE, env);
    if (!record(stack.name, 'apply', { ok: applied.code === 0, detail: firstLines(applied.stderr || applied.stdout) })) return finish(false);
  }
  return finish(!refusedPolicy);
}

/** The SHA-256 of a plan file, as the deploy records it when it shows the plan (StepRecord.planSha256). */
export function planFileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function reasonNotReached(stack: string, deployable: readonly string[], selected: ReadonlyArray<{ name: string }>, policyRefused: boolean): string {
  if (!deployable.includes(stack)) return 'state bootstrap with local state: deployed by hand until migrated (docs/STATE_BOOTSTRAP.md)';
  if (!selected.some((entry) => entry.name === stack)) return 'not selected for this run';
  if (policyRefused) return 'not reached: the output was refused for its policy errors (see above)';
  return 'not reached: an earlier stack failed';
}
