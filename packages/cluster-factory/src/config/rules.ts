import { z } from 'zod';

/**
 * Cross-field rules that keep "every problem at once". zod skips an object's refinements as soon
 * as any field of it fails its type: `min_size: "2"` hid `desired_size: 5` being above max_size
 * until the next run, and any error anywhere in a file hid every cross-field rule of the file.
 * Here each rule runs on what was parsed, even when other fields failed, reading fields through
 * a view that stops the rule at the first field that failed validation. Such a rule is reported
 * as not checked, at that field, so the message says what the first error kept from being checked.
 */

type Path = ReadonlyArray<string | number>;

/** One cross-field check of a value (an environment, a node group, ...). */
export interface CrossFieldRule<T> {
  /** What it checks, as the "not checked" note names it: `min_size is at most max_size`. */
  readonly checks: string;
  /** Refuses a field (path relative to the value) with a message; reads fields of `value` freely. */
  readonly check: (value: T, refuse: (path: Array<string | number>, message: string) => void) => void;
}

/** What a rule's check throws when it reads a field that failed validation. */
class NotChecked extends Error {
  constructor(readonly path: Path) {
    super(`not checked: ${path.join('.')} is invalid`);
  }
}

/** Issues that say the value is not of its type at all (a value of the right type may still miss a constraint). */
const WRONG_TYPE = new Set(['invalid_type', 'invalid_union', 'invalid_value', 'invalid_key']);

type IssueLike = { readonly path?: ReadonlyArray<PropertyKey> | null; readonly code: string };

/** Where a view sits in the parsed value (read by forEachValid). */
const VIEW_PATH = Symbol('view path');

const startsWith = (path: ReadonlyArray<PropertyKey>, prefix: Path) => prefix.every((key, index) => String(path[index]) === String(key));

/**
 * A view of a value as zod parsed it, given the issues found so far (paths relative to it, as
 * `path` is): reading a field whose own value failed (a primitive with an issue, or anything of
 * the wrong type) throws NotChecked; every other field reads as parsed, defaults included.
 */
export function guardedView<T>(value: unknown, issues: readonly IssueLike[], path: Path = []): T {
  const here = issues.filter((issue) => startsWith(issue.path ?? [], path));
  const isObject = value !== null && typeof value === 'object';
  if (here.some((issue) => (issue.path ?? []).length === path.length && (!isObject || WRONG_TYPE.has(issue.code)))) throw new NotChecked(path);
  if (!isObject || !here.some((issue) => (issue.path ?? []).length > path.length)) return value as T;
  return new Proxy(value, {
    get(target, key, receiver) {
      if (key === VIEW_PATH) return path;
      const child: unknown = Reflect.get(target, key, receiver);
      // Methods and symbols (forEach, Symbol.iterator) read through the view again.
      if (typeof key === 'symbol' || !Object.prototype.hasOwnProperty.call(target, key)) return child;
      return guardedView(child, here, [...path, Array.isArray(target) && /^\d+$/.test(key) ? Number(key) : key]);
    },
  }) as T;
}

/**
 * Calls `fn` for each item of a list read through a view, leaving out an item with an error of
 * its own (that error already says it is wrong): a check of items one by one goes on past it,
 * while a field outside the item that fails still stops the rule.
 */
export function forEachValid<E>(list: readonly E[], fn: (item: E, index: number) => void): void {
  const path = (list as unknown as { [VIEW_PATH]?: Path })[VIEW_PATH];
  for (let index = 0; index < list.length; index += 1) {
    try {
      fn(list[index]!, index);
    } catch (error) {
      if (!(error instanceof NotChecked && path && startsWith(error.path, [...path, index]))) throw error;
    }
  }
}

/**
 * Runs each rule on a view of the value; a rule stopped by an invalid field adds one "not
 * checked" note per field, after the rules that could run. When the value itself is of the wrong
 * type, its own error says that nothing in it was checked. `at` maps a rule's refusals to the file's paths.
 */
export function runRules<T>(view: () => T, rules: readonly CrossFieldRule<T>[], ctx: Pick<z.RefinementCtx, 'addIssue'>, at: (path: Array<string | number>) => Array<string | number> = (path) => path): void {
  const notChecked = new Map<string, { path: Path; checks: string[] }>();
  for (const rule of rules) {
    try {
      rule.check(view(), (path, message) => ctx.addIssue({ code: 'custom', path: at(path), message }));
    } catch (error) {
      if (!(error instanceof NotChecked)) throw error;
      if (error.path.length === 0) continue;
      const key = JSON.stringify(error.path);
      const entry = notChecked.get(key) ?? { path: error.path, checks: [] };
      entry.checks.push(rule.checks);
      notChecked.set(key, entry);
    }
  }
  for (const { path, checks } of notChecked.values()) {
    ctx.addIssue({ code: 'custom', path: [...path], message: `not checked until it is valid: ${checks.join('; ')}` });
  }
}

/**
 * The zod check of a schema's cross-field rules. It runs even when fields of the value failed
 * (zod would skip a plain superRefine then): `schema.check(crossFieldRules(RULES))`.
 */
export function crossFieldRules<T>(rules: readonly CrossFieldRule<T>[]) {
  return z.superRefine<T>(
    (value, ctx) => {
      const issues = ctx.issues.slice();
      runRules(() => guardedView<T>(value, issues), rules, ctx);
    },
    { when: () => true },
  );
}
