import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { placeholderForType, resourceSchema, type ProviderSchemas, type SchemaBlock } from './placeholders.js';
import { firstLines } from './check-stacks.js';
import { terraform } from './terraform.js';
import type { TerraformRunner } from './shared-provider.js';

/** The parts of `terraform show -json <plan>` a state is built from. */
export interface PlanForState {
  readonly terraform_version?: string;
  readonly planned_values?: { readonly outputs?: Readonly<Record<string, { readonly value?: unknown; readonly sensitive?: boolean }>> };
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  readonly resource_changes?: ReadonlyArray<{
    readonly address: string;
    readonly mode?: string;
    readonly type: string;
    readonly name: string;
    readonly index?: string | number;
    readonly provider_name: string;
    readonly change: { readonly actions: readonly string[]; readonly after?: unknown; readonly after_unknown?: unknown };
  }>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The cty type of a JSON value, as state files record output types. */
function ctyTypeOf(value: unknown): unknown {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return ['tuple', value.map(ctyTypeOf)];
  if (isObject(value)) return ['object', Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, ctyTypeOf(inner)]))];
  return 'dynamic';
}

/** What an SDKv2 provider stores for an unset primitive attribute of a nested block once applied. */
const ZERO: Readonly<Record<string, unknown>> = { string: '', number: 0, bool: false };

/**
 * The planned values with every value only known after apply filled with a typed placeholder.
 * Inside nested blocks, unset primitive attributes get the zero value an applied SDKv2 resource
 * holds (`update_config[0].max_unavailable = 0`): planned values keep them null, and a later
 * update would show `null -> 0` where a real state shows nothing.
 */
function filled(after: unknown, unknown: unknown, block: SchemaBlock | undefined, resourceType: string, accountId: string, nested = false): unknown {
  if (unknown === true) return undefined;
  if (!isObject(after) || !block) return after;
  const result: Record<string, unknown> = { ...after };
  const unknowns = isObject(unknown) ? unknown : {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (unknowns[name] === true) result[name] = attribute.type === undefined ? null : placeholderForType(attribute.type, resourceType, name, accountId);
    else if (nested && (result[name] === null || result[name] === undefined) && typeof attribute.type === 'string' && attribute.type in ZERO) result[name] = ZERO[attribute.type];
  }
  for (const [name, inner] of Object.entries(block.block_types ?? {})) {
    const value = after[name];
    const marks = unknowns[name];
    if (Array.isArray(value)) result[name] = value.map((item, index) => filled(item, Array.isArray(marks) ? marks[index] : undefined, inner.block, resourceType, accountId, true));
    else if (isObject(value)) result[name] = filled(value, marks, inner.block, resourceType, accountId, true);
  }
  return result;
}

/**
 * A Terraform state (format v4) as if a plan had been applied: every created or kept managed
 * resource with its planned values, and typed placeholders where a value is only known after
 * apply (ids, ARNs). With `terraform state push` or as the local state file, a later
 * configuration is then planned against it with `-refresh=false`: what an upgrade would
 * update, without AWS.
 */
export function stateFromPlan(plan: PlanForState, schemas: ProviderSchemas, options: { accountId: string; lineage: string }): object {
  const resources = new Map<string, { mode: string; type: string; name: string; provider: string; instances: object[] }>();
  for (const change of plan.resource_changes ?? []) {
    if (change.mode === 'data' || (change.change.actions.includes('delete') && !change.change.actions.includes('create'))) continue;
    const key = `${change.type}.${change.name}`;
    const resource = resources.get(key) ?? { mode: 'managed', type: change.type, name: change.name, provider: `provider["${change.provider_name}"]`, instances: [] };
    const schema = resourceSchema(schemas, change.type);
    const attributes = filled(change.change.after, change.change.after_unknown, schema, change.type, options.accountId);
    resource.instances.push({ ...(change.index === undefined ? {} : { index_key: change.index }), schema_version: schema?.version ?? 0, attributes, sensitive_attributes: [] });
    resources.set(key, resource);
  }
  // Outputs known at plan time; the others are known once their resources are (the next round).
  const outputs = Object.fromEntries(
    Object.entries(plan.planned_values?.outputs ?? {})
      .filter(([, output]) => output.value !== undefined && output.value !== null)
      .map(([name, output]) => [name, { value: output.value, type: ctyTypeOf(output.value), sensitive: output.sensitive ?? false }]),
  );
  return { version: 4, terraform_version: plan.terraform_version ?? '1.11.4', serial: 1, lineage: options.lineage, outputs, resources: [...resources.values()], check_results: null };
}

export interface ConvergeOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly schemas: ProviderSchemas;
  readonly accountId: string;
  /** A plan file already in the directory (the harness's `plan.bin`): the first round reads it instead of planning. @default none */
  readonly firstPlan?: string;
  /**
   * Take the state of this many rounds as settled, without a plan to confirm it (a later plan
   * of the same directory shows whatever did not settle). Three rounds settle what this
   * project's stacks compute: ids, values derived from them, outputs. @default plan until nothing changes
   */
  readonly rounds?: number;
  /** Plans before giving up. @default 5 */
  readonly maxRounds?: number;
  /** How terraform runs: a SharedAwsProvider's `terraform` saves a plugin start per run. @default terraform */
  readonly terraform?: TerraformRunner;
}

/**
 * Brings a prepared working directory (harness-initialized, local state) to the state its
 * configuration would have once applied, without AWS: plan with `-refresh=false`, take the
 * planned values as the state (stateFromPlan), and plan again until nothing changes. Values
 * that depend on others only known after apply (a role ARN in a cluster, an ARN in a policy
 * document) settle in the second round, as Terraform itself computes them from the state.
 * Returns the state, also written as the directory's terraform.tfstate.
 */
export async function convergeState(workdir: string, options: ConvergeOptions): Promise<{ rounds: number; state: object }> {
  const maxRounds = Math.max(options.maxRounds ?? 5, options.rounds ?? 0);
  const run = options.terraform ?? terraform;
  let state: object | undefined;
  for (let round = 1; round <= maxRounds; round += 1) {
    let planFile = options.firstPlan;
    if (round > 1 || !planFile) {
      planFile = 'converge.bin';
      const plan = await run(workdir, ['plan', '-input=false', '-refresh=false', '-lock=false', '-no-color', `-out=${planFile}`], options.env);
      if (plan.code !== 0) throw new Error(`${workdir}: terraform plan failed in round ${round}:\n${firstLines(plan.stderr || plan.stdout, 20)}`);
    }
    const show = await run(workdir, ['show', '-json', planFile], options.env);
    if (show.code !== 0) throw new Error(`${workdir}: terraform show failed in round ${round}:\n${firstLines(show.stderr, 20)}`);
    const planJson = JSON.parse(show.stdout) as PlanForState;
    const changing = (actions: readonly string[]) => !actions.every((action) => action === 'no-op');
    const pending = [
      ...(planJson.resource_changes ?? []).filter((change) => change.mode !== 'data' && changing(change.change.actions)).map((change) => `${change.address} ${change.change.actions.join('/')}`),
      ...Object.entries(planJson.output_changes ?? {}).filter(([, change]) => changing(change.actions)).map(([name, change]) => `output ${name} ${change.actions.join('/')}`),
    ];
    if (state && pending.length === 0) return { rounds: round, state };
    if (round === maxRounds) throw new Error(`${workdir}: still changing after ${maxRounds} rounds: ${pending.join(', ')}`);
    state = stateFromPlan(planJson, options.schemas, { accountId: options.accountId, lineage: 'harness-converged' });
    writeFileSync(join(workdir, 'terraform.tfstate'), JSON.stringify(state, null, 2));
    if (round === options.rounds) return { rounds: round, state };
  }
  throw new Error('unreachable');
}
