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
  /** How many rules were evaluated (and held or broke). */
  readonly evaluated: number;
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

/** The value as CEL sees it: schema integers are CEL ints (BigInt), everything else as JSON. */
function celValue(value: unknown, node: SchemaNode | undefined): unknown {
  if (value === null || value === undefined || !node) return value;
  if (node.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => celValue(item, node.items));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, celValue(inner, node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined))]),
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
  const walk = (current: unknown, node: SchemaNode | undefined, path: string) => {
    if (current === undefined || current === null || !node) return;
    const where = path || '(root)';
    for (const rule of node['x-kubernetes-validations'] ?? []) {
      if (/\boldSelf\b/.test(rule.rule)) {
        notChecked.push(`${where}: ${rule.rule} (a transition rule: it compares with the object already in the cluster)`);
        continue;
      }
      try {
        const result: unknown = env.evaluate(rule.rule, { self: celValue(current, node) });
        if (typeof result !== 'boolean') {
          notChecked.push(`${where}: ${rule.rule} (evaluated to ${String(result)}, not a boolean)`);
          continue;
        }
        evaluated += 1;
        if (!result) violations.push(`${where}: ${rule.message ?? `breaks the rule ${rule.rule}`}`);
      } catch (error) {
        notChecked.push(`${where}: ${rule.rule} (${(error as Error).message.split('\n')[0]})`);
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
  return { violations, notChecked, evaluated };
}
