import { readFileSync } from 'node:fs';
import { JsonSchemaChecker } from '../lib/private/json-schema.js';
import { KARPENTER_CRD_CHART } from '../versions.js';
import { celRuleFindings, celRuleInventory, type CelRuleFindings, type CelRuleInventory } from './cel-rules.js';

/** How messages name the pinned NodePool CRD. */
export const NODE_POOL_CRD = `karpenter.sh/v1, Karpenter ${KARPENTER_CRD_CHART.version}`;

/**
 * Upstream CRD schemas (the `openAPIV3Schema` of one served version), committed under
 * `reference/crds/` by `scripts/reference/extract-crd-schema.ts` with their source.
 */
export interface CrdSchemaFile {
  readonly source: string;
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly openAPIV3Schema: JsonSchemaNode;
}

interface JsonSchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, JsonSchemaNode>;
  readonly additionalProperties?: boolean | JsonSchemaNode;
  readonly items?: JsonSchemaNode;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly [keyword: string]: unknown;
}

const REFERENCE_CRDS = new URL('../../reference/crds/', import.meta.url);

/**
 * Which committed schema checks which kind: `apiVersion/kind` -> file under reference/crds.
 * Kinds without an entry are checked by their @kubernetes-models type only.
 */
export const CRD_SCHEMA_FILES: Readonly<Record<string, string>> = {
  'argoproj.io/v1alpha1/ApplicationSet': 'argo-cd-9.5.14/applicationsets.argoproj.io.v1alpha1.json',
  'karpenter.sh/v1/NodePool': 'karpenter-1.14.1/nodepools.karpenter.sh.v1.json',
  'karpenter.k8s.aws/v1/EC2NodeClass': 'karpenter-1.14.1/ec2nodeclasses.karpenter.k8s.aws.v1.json',
};

const loaded = new Map<string, { file: CrdSchemaFile; checker: JsonSchemaChecker }>();

function schemaFor(apiVersion: string, kind: string): { file: CrdSchemaFile; checker: JsonSchemaChecker } | undefined {
  const name = CRD_SCHEMA_FILES[`${apiVersion}/${kind}`];
  if (!name) return undefined;
  let entry = loaded.get(name);
  if (!entry) {
    const file = JSON.parse(readFileSync(new URL(name, REFERENCE_CRDS), 'utf8')) as CrdSchemaFile;
    // OpenAPI 3.0 schemas follow draft 4 (boolean exclusiveMinimum). Kubernetes extensions
    // (x-kubernetes-*) are not JSON Schema keywords and are ignored, as are formats the
    // validator does not know (int-or-string, int64...): types, enums and required fields matter here.
    entry = { file, checker: new JsonSchemaChecker(file.openAPIV3Schema, '4') };
    loaded.set(name, entry);
  }
  return entry;
}

/**
 * Fields the schema does not declare. The API server prunes them silently (structural
 * schemas), so a misspelled field would vanish on apply instead of failing: report them.
 * `metadata` is ObjectMeta, checked by the API server, not by the CRD.
 */
export function unknownFields(value: unknown, node: JsonSchemaNode | undefined, path = ''): string[] {
  if (!node || value === null || typeof value !== 'object' || node['x-kubernetes-preserve-unknown-fields']) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => unknownFields(item, node.items, `${path}[${index}]`));
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (path === '' && key === 'metadata') continue;
    const declared = node.properties?.[key];
    if (declared) problems.push(...unknownFields(child, declared, childPath));
    else if (typeof node.additionalProperties === 'object') problems.push(...unknownFields(child, node.additionalProperties, childPath));
    else if (node.additionalProperties !== true) problems.push(`${childPath}: unknown field`);
  }
  return problems;
}

/**
 * Problems of one object against the pinned upstream CRD of its kind, or undefined when the
 * project has no committed schema for that kind: the schema (types, enums, required fields),
 * fields it does not declare, and the CEL rules (x-kubernetes-validations) the object breaks.
 */
export function crdSchemaProblems(object: { apiVersion: string; kind: string }): string[] | undefined {
  const schema = schemaFor(object.apiVersion, object.kind);
  if (!schema) return undefined;
  return [...schema.checker.problems(object), ...unknownFields(object, schema.file.openAPIV3Schema), ...celRuleFindings(object, schema.file.openAPIV3Schema as never).violations];
}

/** The CEL rules of an object's CRD: broken, not checked (with the reason), evaluated; undefined without a committed schema. */
export function crdRuleFindings(object: { apiVersion: string; kind: string }): CelRuleFindings | undefined {
  const schema = schemaFor(object.apiVersion, object.kind);
  return schema ? celRuleFindings(object, schema.file.openAPIV3Schema as never) : undefined;
}

/** Where a committed schema came from (for messages and docs). */
export function crdSchemaSource(apiVersion: string, kind: string): string | undefined {
  return schemaFor(apiVersion, kind)?.file.source;
}

/** Every CEL rule of a kind's committed CRD, sorted into those the evaluator can run and those it cannot (with the reason); undefined without a committed schema. */
export function crdRuleInventory(apiVersion: string, kind: string): CelRuleInventory | undefined {
  const schema = schemaFor(apiVersion, kind);
  return schema ? celRuleInventory(schema.file.openAPIV3Schema as never) : undefined;
}

/** What synth made of the CEL rules of one object with a committed CRD. */
export interface CrdRuleCoverage {
  /** `NodePool/general`. */
  readonly object: string;
  /** Rules of the object's CRD. */
  readonly total: number;
  /** Rules evaluated on the object: all held, or synth would have refused it. */
  readonly evaluatedAndHeld: number;
  /** Rules not checked (a rule below a list once, however many items it could not judge). */
  readonly notCheckedRules: number;
  /** Rules whose field the object does not set. */
  readonly notApplicable: number;
  /** Each rule not checked, with where and why (`spec: <rule> (a transition rule: ...)`); never counted as held. */
  readonly notChecked: readonly string[];
}

/** Per object with a committed CRD, in order: the CEL rules evaluated and held, not checked and not applicable. */
export function crdRuleCoverage(objects: ReadonlyArray<{ apiVersion: string; kind: string; metadata?: { name?: string } }>): CrdRuleCoverage[] {
  return objects.flatMap((object) => {
    const findings = crdRuleFindings(object);
    const inventory = crdRuleInventory(object.apiVersion, object.kind);
    if (!findings || !inventory) return [];
    return [
      {
        object: `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`,
        total: inventory.total,
        evaluatedAndHeld: findings.evaluatedRules,
        notCheckedRules: findings.notCheckedRules,
        notApplicable: inventory.total - findings.evaluatedRules - findings.notCheckedRules,
        notChecked: findings.notChecked,
      },
    ];
  });
}

/**
 * What synth could not check of the CEL rules of objects with a committed CRD: per object, the
 * rules evaluated (all held, or synth would have refused), not checked and not applicable (their
 * field is not set); then each rule not checked, with why and where. Undefined when nothing was
 * left unchecked.
 */
export function celRulesNotCheckedNote(coverage: readonly CrdRuleCoverage[]): string | undefined {
  const notChecked = new Map<string, string[]>();
  for (const entry of coverage) for (const rule of entry.notChecked) notChecked.set(rule, [...(notChecked.get(rule) ?? []), entry.object]);
  if (notChecked.size === 0) return undefined;
  const counts = coverage.map((entry) => `${entry.object}: ${entry.evaluatedAndHeld} of ${entry.total} evaluated and held, ${entry.notCheckedRules} not checked, ${entry.notApplicable} not applicable (field not set)`);
  const rules = [...notChecked].map(([rule, objects]) => `not checked: ${rule}: ${objects.join(', ')}`);
  return `CEL rules (x-kubernetes-validations) of the pinned CRDs: ${notChecked.size} not checked at synth; the API server checks them when the objects are applied\n  ${[...counts, ...rules].join('\n  ')}`;
}
