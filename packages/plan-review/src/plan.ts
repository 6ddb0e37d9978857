/** The parts of `terraform show -json <plan>` a review needs. */
export interface TerraformPlan {
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, Change>;
}

export interface Change {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: Array<Array<string | number>>;
}

export interface ResourceChange {
  address: string;
  type: string;
  mode?: string;
  action_reason?: string;
  change: Change;
}

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'read' | 'no-op';

/**
 * Terraform's action list as one action: ["delete","create"] and ["create","delete"] are
 * replacements; "forget" (a `removed` block with `destroy = false`) drops the object from
 * state and leaves it running.
 */
export function classify(actions: readonly string[]): Action {
  if (actions.includes('forget')) return 'forget';
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('create')) return 'create';
  if (actions.includes('update')) return 'update';
  if (actions.includes('read')) return 'read';
  return 'no-op';
}

/** A file given as a plan that is not one (an empty object, a list, a state file...). */
export class PlanFormatError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: not a Terraform plan (${reason}); expected the output of \`terraform show -json <planfile>\``);
    this.name = 'PlanFormatError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses `terraform show -json <planfile>` output; anything else is refused, naming the file. */
export function parsePlan(text: string, file: string): TerraformPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanFormatError(file, `invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(data)) throw new PlanFormatError(file, `${Array.isArray(data) ? 'a list' : 'not an object'} at the top level`);
  if ('lineage' in data && 'serial' in data) throw new PlanFormatError(file, 'this is a Terraform state file');
  if ('values' in data && !('planned_values' in data)) throw new PlanFormatError(file, 'this is `terraform show -json` of a state');
  if (typeof data.format_version !== 'string') throw new PlanFormatError(file, 'no format_version');
  if (!isObject(data.planned_values) && !Array.isArray(data.resource_changes)) throw new PlanFormatError(file, 'neither planned_values nor resource_changes');
  const changes = data.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new PlanFormatError(file, 'resource_changes is not a list');
  changes.forEach((change: unknown, index) => {
    const actions = isObject(change) && isObject(change.change) ? change.change.actions : undefined;
    if (!isObject(change) || typeof change.address !== 'string' || !Array.isArray(actions) || !actions.every((action) => typeof action === 'string')) {
      throw new PlanFormatError(file, `resource_changes[${index}] has no address or no change.actions`);
    }
  });
  const outputs = data.output_changes ?? {};
  if (!isObject(outputs) || !Object.values(outputs).every((change) => isObject(change) && Array.isArray(change.actions))) {
    throw new PlanFormatError(file, 'output_changes is not a map of changes with actions');
  }
  return data as TerraformPlan;
}
