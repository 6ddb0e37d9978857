import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

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
  'karpenter.sh/v1/NodePool': 'karpenter-1.11.1/nodepools.karpenter.sh.v1.json',
  'karpenter.k8s.aws/v1/EC2NodeClass': 'karpenter-1.11.1/ec2nodeclasses.karpenter.k8s.aws.v1.json',
};

const compiled = new Map<string, { file: CrdSchemaFile; validate: ValidateFunction }>();

function schemaFor(apiVersion: string, kind: string): { file: CrdSchemaFile; validate: ValidateFunction } | undefined {
  const name = CRD_SCHEMA_FILES[`${apiVersion}/${kind}`];
  if (!name) return undefined;
  let entry = compiled.get(name);
  if (!entry) {
    const file = JSON.parse(readFileSync(new URL(name, REFERENCE_CRDS), 'utf8')) as CrdSchemaFile;
    // strict: false: Kubernetes extensions (x-kubernetes-*) are not JSON Schema keywords.
    // Formats are the API server's own (int-or-string, cidr...); types and enums are what matter here.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    entry = { file, validate: ajv.compile(file.openAPIV3Schema) };
    compiled.set(name, entry);
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
 * project has no committed schema for that kind. CEL rules (x-kubernetes-validations) are
 * not evaluated here.
 */
export function crdSchemaProblems(object: { apiVersion: string; kind: string }): string[] | undefined {
  const schema = schemaFor(object.apiVersion, object.kind);
  if (!schema) return undefined;
  const problems = schema.validate(object)
    ? []
    : (schema.validate.errors ?? []).map((error) => `${error.instancePath.slice(1).replace(/\//g, '.') || '(root)'}: ${error.message}`);
  return [...problems, ...unknownFields(object, schema.file.openAPIV3Schema)];
}

/** Where a committed schema came from (for messages and docs). */
export function crdSchemaSource(apiVersion: string, kind: string): string | undefined {
  return schemaFor(apiVersion, kind)?.file.source;
}
