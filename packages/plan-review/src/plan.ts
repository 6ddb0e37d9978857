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

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'read' | 'no-op';

/** Terraform's action list as one action: ["delete","create"] and ["create","delete"] are replacements. */
export function classify(actions: readonly string[]): Action {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('create')) return 'create';
  if (actions.includes('update')) return 'update';
  if (actions.includes('read')) return 'read';
  return 'no-op';
}

/** Top-level attributes whose value differs (values themselves are never shown). */
export function changedAttributes(change: Change): string[] {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  const unknown = (change.after_unknown ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((key) => unknown[key] === true || JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}
