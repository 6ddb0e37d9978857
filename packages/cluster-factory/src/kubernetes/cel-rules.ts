import { Environment } from '@marcbachmann/cel-js';

/**
 * The CEL rules (`x-kubernetes-validations`) of a CRD schema, evaluated against an object as
 * the API server would on create: each rule with `self` bound to the value at its place in the
 * schema. Evaluated with @marcbachmann/cel-js plus the Kubernetes CEL library functions the
 * pinned CRDs use. A rule that cannot be evaluated here is reported as not checked, with the
 * reason, never as passed: transition rules (they compare with `oldSelf`, the object already in
 * the cluster) and rules the evaluator cannot run.
 */

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly 'x-kubernetes-validations'?: ReadonlyArray<{ readonly rule: string; readonly message?: string; readonly messageExpression?: string; readonly reason?: string }>;
}

export interface CelRuleFindings {
  /** Rules the object breaks: `spec.template.spec.requirements: <the rule's message>`. */
  readonly violations: readonly string[];
  /** Rules not evaluated, each with the reason. */
  readonly notChecked: readonly string[];
  /** How many evaluations ran (and held or broke): a rule below a list runs once per item. */
  readonly evaluated: number;
  /** How many distinct rules of the schema ran at least once. */
  readonly evaluatedRules: number;
  /** How many distinct rules of the schema were not checked. */
  readonly notCheckedRules: number;
}

/**
 * Kubernetes' CEL string library as far as the pinned CRDs use it beyond the standard CEL
 * functions (k8s.io/apiserver/pkg/cel/library/regex.go: `find` returns the first match, or "").
 */
function kubernetesEnvironment(): Environment {
  return new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false }).registerFunction('string.find(string): string', (value: string, pattern: string) => {
    const match = new RegExp(pattern).exec(value);
    return match ? match[0] : '';
  });
}

let environment: Environment | undefined;

/** Why a rule cannot be evaluated at all (whatever the object), or undefined when it can. */
const unevaluable = new Map<string, string | undefined>();
function whyNotEvaluable(env: Environment, rule: string): string | undefined {
  if (!unevaluable.has(rule)) {
    let reason: string | undefined;
    if (/\boldSelf\b/.test(rule)) reason = 'a transition rule: it compares with the object already in the cluster';
    else {
      try {
        const checked = env.check(rule);
        if (!checked.valid) reason = `the evaluator cannot type-check it: ${(checked.error?.message ?? 'invalid').split('\n')[0]}`;
      } catch (error) {
        reason = `the evaluator cannot parse it: ${(error as Error).message.split('\n')[0]}`;
      }
    }
    unevaluable.set(rule, reason);
  }
  return unevaluable.get(rule);
}

/** Every CEL rule of a schema, by where it sits: those the evaluator runs and those it cannot, whatever the object. */
export interface CelRuleInventory {
  /** All rules (x-kubernetes-validations entries) of the schema. */
  readonly total: number;
  /** Rules evaluated wherever the object has their field. */
  readonly evaluable: number;
  /** `<schema path>: <rule> (<reason>)`, for the rules never evaluated. */
  readonly notCheckable: readonly string[];
}

/** The rules of a schema, sorted into evaluable and not (transition rules, rules the evaluator cannot type-check). */
export function celRuleInventory(schema: SchemaNode): CelRuleInventory {
  environment ??= kubernetesEnvironment();
  const env = environment;
  let total = 0;
  const notCheckable: string[] = [];
  const walk = (node: SchemaNode | undefined, path: string) => {
    if (!node) return;
    for (const rule of node['x-kubernetes-validations'] ?? []) {
      total += 1;
      const reason = whyNotEvaluable(env, rule.rule);
      if (reason) notCheckable.push(`${path || '(root)'}: ${rule.rule} (${reason})`);
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${key}` : key);
    if (node.items) walk(node.items, `${path}[]`);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`);
  };
  walk(schema, '');
  return { total, evaluable: total - notCheckable.length, notCheckable };
}

/** The value as CEL sees it: schema integers are CEL ints (BigInt), everything else as JSON. */
function celValue(value: unknown, node: SchemaNode | undefined): unknown {
  if (value === null || value === undefined || !node) return value;
  if (node.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => celValue(item, node.items));
  if (typeof value === 'object') {
    // As the API server receives it (JSON): a key whose value is undefined is absent, so has() is false.
    return Object.fromEntries(
      Object.entries(value).filter(([, inner]) => inner !== undefined).map(([key, inner]) => [key, celValue(inner, node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined))]),
    );
  }
  return value;
}

/** Every CEL rule of a schema applied to a value (the object, or a part with its schema). */
export function celRuleFindings(value: unknown, schema: SchemaNode): CelRuleFindings {
  environment ??= kubernetesEnvironment();
  const env = environment;
  const violations: string[] = [];
  const notChecked: string[] = [];
  let evaluated = 0;
  const evaluatedRules = new Set<string>();
  const notCheckedRules = new Set<string>();
  const walk = (current: unknown, node: SchemaNode | undefined, path: string) => {
    if (current === undefined || current === null || !node) return;
    const where = path || '(root)';
    const ruleId = (rule: string) => `${where.replace(/\[\d+\]/g, '[]')}: ${rule}`;
    for (const rule of node['x-kubernetes-validations'] ?? []) {
      const reason = whyNotEvaluable(env, rule.rule);
      if (reason) {
        notChecked.push(`${where}: ${rule.rule} (${reason})`);
        notCheckedRules.add(ruleId(rule.rule));
        continue;
      }
      try {
        const result: unknown = env.evaluate(rule.rule, { self: celValue(current, node) });
        if (typeof result !== 'boolean') {
          notChecked.push(`${where}: ${rule.rule} (evaluated to ${String(result)}, not a boolean)`);
          notCheckedRules.add(ruleId(rule.rule));
          continue;
        }
        evaluated += 1;
        evaluatedRules.add(ruleId(rule.rule));
        if (!result) violations.push(`${where}: ${rule.message ?? `breaks the rule ${rule.rule}`}`);
      } catch (error) {
        notChecked.push(`${where}: ${rule.rule} (${(error as Error).message.split('\n')[0]})`);
        notCheckedRules.add(ruleId(rule.rule));
      }
    }
    if (Array.isArray(current)) {
      current.forEach((item, index) => walk(item, node.items, `${path}[${index}]`));
    } else if (typeof current === 'object') {
      for (const [key, inner] of Object.entries(current)) {
        const child = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
        walk(inner, child, path ? `${path}.${key}` : key);
      }
    }
  };
  walk(value, schema, '');
  // A rule below a list that ran on one item and could not on another counts as not checked.
  for (const rule of notCheckedRules) evaluatedRules.delete(rule);
  return { violations, notChecked, evaluated, evaluatedRules: evaluatedRules.size, notCheckedRules: notCheckedRules.size };
}
