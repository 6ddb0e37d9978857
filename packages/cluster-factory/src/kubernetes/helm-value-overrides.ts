import type { PinnedChart } from '../versions.js';
import type { JsonSchemaChecker } from '../lib/private/json-schema.js';
import { closestKeys } from '../lib/private/closest-keys.js';

/**
 * The `helm_values` escape hatch (after cdk-eks-blueprints): per chart the platform installs,
 * values from the config deep-merged last over the values the platform computes, checked as
 * strictly as the platform's own: against the pinned chart's keys (and its values.schema.json
 * where it has one), never over a value the plan decides.
 */

/** Helm values as a config gives them: a YAML mapping. */
export type HelmValues = Readonly<Record<string, unknown>>;

/** A value the platform sets and a config cannot override, with the config field that decides it. */
export interface OwnedValue {
  /** A key path (`ipam.mode`), or a subtree (`eni.*`: the key and everything below it). */
  readonly key: string;
  /** The config field (or the part of the platform) that decides it: `cilium_mode`. */
  readonly owner: string;
  /** Why, when the owner alone does not say. @default none */
  readonly why?: string;
}

/** How one chart's values are checked. */
export interface ChartOverrideRules {
  /** The key under `helm_values` (`aws_load_balancer_controller`). */
  readonly field: string;
  readonly chart: PinnedChart;
  /** Where the chart's keys are listed, for messages. */
  readonly keyListFile: string;
  /** Every key path of the pinned chart (`[]` for list items). */
  readonly keys: () => ReadonlySet<string>;
  /** Keys whose content the chart passes through whole (an empty map or list in its values.yaml). */
  readonly freeForm: () => readonly string[];
  /** Values the plan decides: refused, naming their owner. */
  readonly owned: readonly OwnedValue[];
  /**
   * Values the platform sets as its own defaults, which a config may override (replica counts).
   * Any other value the platform sets is refused as decided by the platform.
   */
  readonly defaults: readonly string[];
  /** The chart's values.schema.json, where it has one. @default none */
  readonly schema?: () => JsonSchemaChecker;
  /** Checks of the chart's own rules beyond keys and schema (feature-gate names, rendered keys). @default none */
  readonly extra?: (values: HelmValues) => ValueProblem[];
}

/** A problem at a path of the values (keys and list indexes, relative to the chart's values). */
export interface ValueProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Helm's merge of a values file over another: maps merge key by key, anything else (lists
 * included) replaces what was there. Neither input is changed.
 */
export function mergeHelmValues<T extends object>(base: T, override: HelmValues | undefined): T {
  if (!override) return base;
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isMap(a) || !isMap(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in a ? merge(a[key], value) : value;
    return out;
  };
  return merge(base, override) as T;
}

/** A leaf of a values document: its path (with list indexes), its key path (`[]` for list items) and its value. */
interface Leaf {
  readonly path: ReadonlyArray<string | number>;
  readonly key: string;
  readonly value: unknown;
}

/** Every leaf: maps are walked, lists of maps too; a scalar, an empty map or a list of scalars is a leaf. */
function leaves(values: unknown, path: Array<string | number> = [], key = ''): Leaf[] {
  if (isMap(values) && Object.keys(values).length > 0) {
    return Object.entries(values).flatMap(([name, value]) => leaves(value, [...path, name], key ? `${key}.${name}` : name));
  }
  if (Array.isArray(values) && values.some(isMap)) {
    return values.flatMap((item, index) => (isMap(item) ? leaves(item, [...path, index], `${key}[]`) : [{ path: [...path, index], key: `${key}[]`, value: item }]));
  }
  return path.length > 0 ? [{ path, key, value: values }] : [];
}

const under = (key: string, prefix: string) => key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[]`);

/** The owned value a leaf would set or replace, if any. */
function ownerOf(leaf: Leaf, owned: readonly OwnedValue[]): OwnedValue | undefined {
  return owned.find((entry) => {
    const base = entry.key.replace(/\.\*$/, '');
    if (leaf.key === base || under(leaf.key, base)) return true;
    // A scalar, list or null above an owned key replaces it; a map merges into it (its leaves are judged).
    return under(base, leaf.key) && !isMap(leaf.value);
  });
}

/** Whether the chart declares a key: listed, under a free-form key, or inside a list the chart declares (list items are Kubernetes objects). */
function declared(key: string, keys: ReadonlySet<string>, freeForm: readonly string[]): boolean {
  if (keys.has(key) || freeForm.some((prefix) => under(key, prefix))) return true;
  const list = key.indexOf('[]');
  return list > 0 && keys.has(key.slice(0, list));
}

/**
 * Problems of a config's values for one chart: keys the plan decides (naming the owner), keys
 * the pinned chart does not have (with the nearest it has), schema violations and the chart's
 * own rules. With `platformValues`, a value the platform sets that is neither owned nor a
 * listed default is refused too: the owned list can never miss what the plan actually sets.
 */
export function helmValueProblems(rules: ChartOverrideRules, values: HelmValues, platformValues?: object): ValueProblem[] {
  const chart = `${rules.chart.chart} ${rules.chart.version}`;
  const platformKeys = platformValues ? leaves(platformValues).map((leaf) => leaf.key) : [];
  const problems: ValueProblem[] = [];
  const keys = rules.keys();
  const freeForm = rules.freeForm();
  for (const leaf of leaves(values)) {
    // An empty map merges nothing.
    if (isMap(leaf.value)) {
      if (!declared(leaf.key, keys, freeForm)) problems.push({ path: leaf.path, message: unknownKey(leaf.key, chart, keys, rules.keyListFile) });
      continue;
    }
    const owner = ownerOf(leaf, rules.owned);
    if (owner) {
      problems.push({ path: leaf.path, message: `is decided by ${owner.owner}${owner.why ? ` (${owner.why})` : ''}; helm_values cannot override it` });
      continue;
    }
    const platformSet = platformKeys.find((key) => key === leaf.key || under(key, leaf.key) || under(leaf.key, key));
    if (platformSet && !rules.defaults.some((key) => key === platformSet || under(platformSet, key))) {
      problems.push({ path: leaf.path, message: `is set by the platform (${platformSet}) and not listed as overridable; helm_values cannot override it` });
      continue;
    }
    if (!declared(leaf.key, keys, freeForm)) problems.push({ path: leaf.path, message: unknownKey(leaf.key, chart, keys, rules.keyListFile) });
  }
  if (rules.schema) {
    // A key refused above is not judged again by the schema.
    const refused = problems.map((problem) => problem.path.join('\u0000'));
    for (const issue of rules.schema().issues(values)) {
      const at = issue.path.join('\u0000');
      if (refused.some((path) => at === path || at.startsWith(`${path}\u0000`))) continue;
      problems.push({ path: issue.path, message: `${issue.message} (values.schema.json of chart ${chart})` });
    }
  }
  problems.push(...(rules.extra?.(values) ?? []));
  return problems;
}

function unknownKey(key: string, chart: string, keys: ReadonlySet<string>, keyListFile: string): string {
  const nearest = closestKeys(key, [...keys]);
  return `is not a value of chart ${chart} (${nearest.length > 0 ? `nearest: ${nearest.join(', ')}` : `its keys: ${keyListFile}`})`;
}

/** `ipam.mode`, `tolerations[0].key`: a problem's path as the chart's values name it. */
export function valuePath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/** Throws one error listing every problem, for constructs given values a config did not check. */
export function assertHelmValues(rules: ChartOverrideRules, values: HelmValues | undefined, platformValues: object): void {
  if (!values) return;
  const problems = helmValueProblems(rules, values, platformValues);
  if (problems.length > 0) {
    throw new Error(`helm_values.${rules.field} (chart ${rules.chart.chart} ${rules.chart.version}):\n  ${problems.map((problem) => `${valuePath(problem.path)}: ${problem.message}`).join('\n  ')}`);
  }
}
