import type { Change } from './plan.js';

/** One changed value of a resource: its path and both sides as the review shows them. */
export interface AttributeChange {
  /** `version`, `scaling_config[0].max_size`, `policy{json}.Statement[2].Action`. */
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** Longest value shown in full; longer ones are cut (a review line stays readable). */
const MAX_VALUE = 120;
/** Most changed lines shown of one multi-line value (Helm values, user data). */
const MAX_LINES = 12;

export const SENSITIVE = '(sensitive)';
export const UNKNOWN = '(known after apply)';
export const ABSENT = '(none)';

type Mask = unknown;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown) => value === null || value === undefined || typeof value !== 'object';
/** Terraform shows no change between null and an empty collection (state and plan spell them differently). */
const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
const same = (a: unknown, b: unknown) => (isEmpty(a) && isEmpty(b)) || JSON.stringify(a) === JSON.stringify(b);
const child = (mask: Mask, key: string | number): Mask => (mask === true ? true : isObject(mask) || Array.isArray(mask) ? (mask as Record<string | number, unknown>)[key] : undefined);

function show(value: unknown): string {
  if (value === undefined) return ABSENT;
  const text = JSON.stringify(value);
  return text.length <= MAX_VALUE ? `\`${text}\`` : `\`${text.slice(0, MAX_VALUE - 20)}…\` (${text.length} characters)`;
}

/** A JSON document inside a string (IAM policies, event patterns): compared structurally. */
function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** The lines of a multi-line string that differ (a bounded line diff: removed, then added). */
function lineChanges(path: string, before: string, after: string): AttributeChange[] {
  const old = before.split('\n');
  const next = after.split('\n');
  const kept = new Set(old.filter((line) => next.includes(line)));
  const removed = old.filter((line) => !kept.has(line));
  const added = next.filter((line) => !kept.has(line) && !old.includes(line));
  const shown = [...removed.map((line) => ({ path, before: show(line), after: ABSENT })), ...added.map((line) => ({ path, before: ABSENT, after: show(line) }))];
  if (shown.length <= MAX_LINES) return shown;
  return [...shown.slice(0, MAX_LINES), { path, before: '…', after: `${shown.length - MAX_LINES} more changed lines` }];
}

/**
 * Every value that differs between the two sides of a change, as leaf paths: objects and lists
 * of objects are walked, lists of plain values compared whole, JSON documents in strings
 * compared structurally, multi-line strings line by line. A value marked sensitive on either
 * side is masked on that side (as `terraform plan` masks it); a value only known after apply
 * says so.
 */
export function attributeChanges(change: Change): AttributeChange[] {
  const changes: AttributeChange[] = [];
  const side = (value: unknown, sensitive: Mask) => (sensitive === true ? SENSITIVE : show(value));
  const walk = (path: string, before: unknown, after: unknown, beforeSensitive: Mask, afterSensitive: Mask, unknown: Mask): void => {
    if (unknown === true) {
      changes.push({ path, before: side(before, beforeSensitive), after: UNKNOWN });
      return;
    }
    if (beforeSensitive === true || afterSensitive === true) {
      if (!same(before, after)) changes.push({ path, before: side(before, beforeSensitive), after: side(after, afterSensitive) });
      return;
    }
    if (same(before, after) && !(isObject(unknown) || Array.isArray(unknown))) return;
    const join = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if ((isObject(before) || before === undefined || before === null) && (isObject(after) || after === undefined || after === null) && (isObject(before) || isObject(after))) {
      const keys = new Set([...Object.keys(isObject(before) ? before : {}), ...Object.keys(isObject(after) ? after : {}), ...Object.keys(isObject(unknown) ? unknown : {})]);
      for (const key of [...keys].sort()) {
        walk(join(key), isObject(before) ? before[key] : undefined, isObject(after) ? after[key] : undefined, child(beforeSensitive, key), child(afterSensitive, key), child(unknown, key));
      }
      return;
    }
    // Lists of blocks, and of documents (Helm values), item by item; lists of plain values whole.
    const itemByItem = (value: unknown) => Array.isArray(value) && value.some((item) => !isScalar(item) || (typeof item === 'string' && item.includes('\n')));
    if (Array.isArray(before) && Array.isArray(after) && (itemByItem(before) || itemByItem(after))) {
      for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
        walk(join(index), before[index], after[index], child(beforeSensitive, index), child(afterSensitive, index), child(unknown, index));
      }
      return;
    }
    const [oldJson, newJson] = [parsedJson(before), parsedJson(after)];
    if (oldJson !== undefined && newJson !== undefined) {
      walk(`${path}{json}`, oldJson, newJson, undefined, undefined, undefined);
      return;
    }
    if (typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'))) {
      changes.push(...lineChanges(path, before, after));
      return;
    }
    changes.push({ path, before: show(before), after: show(after) });
  };
  walk('', change.before ?? undefined, change.after ?? undefined, change.before_sensitive, change.after_sensitive, change.after_unknown);
  return changes;
}

/** The top-level attributes a change touches (`scaling_config` for `scaling_config[0].max_size`). */
export function changedTopLevel(changes: readonly AttributeChange[]): string[] {
  return [...new Set(changes.map((change) => /^[^.[{]+/.exec(change.path)?.[0] ?? change.path))].sort();
}
