import type { StackJson } from './synth-output.js';

/** A cty type as Terraform writes it in JSON: "string", ["list","string"], ["object",{...}]. */
export type CtyType = string | [string, CtyType] | ['object', Record<string, CtyType>];

export interface SchemaBlock {
  attributes?: Record<string, { type?: CtyType }>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}

/** The subset of `terraform providers schema -json` the harness needs. */
export interface ProviderSchemas {
  provider_schemas?: Record<string, { resource_schemas?: Record<string, { version?: number; block: SchemaBlock }>; data_source_schemas?: Record<string, { block: SchemaBlock }> }>;
}

/** A resource type's schema, and its version (what state records as schema_version). */
export function resourceSchema(schemas: ProviderSchemas, type: string): (SchemaBlock & { readonly version: number }) | undefined {
  for (const provider of Object.values(schemas.provider_schemas ?? {})) {
    const schema = provider.resource_schemas?.[type];
    if (schema) return { ...schema.block, version: schema.version ?? 0 };
  }
  return undefined;
}

const REFERENCE = /^\$\{(data\.)?([a-z0-9_]+)\.[^.]+\.([^}]+)\}$/;

/** The type of `aws_eks_cluster.x.vpc_config[0].cluster_security_group_id` from provider schemas. */
export function referenceType(expression: unknown, schemas: ProviderSchemas): CtyType | undefined {
  if (Array.isArray(expression)) {
    const types = expression.map((item) => referenceType(item, schemas));
    return types.every((type) => type !== undefined) && types.length > 0 ? ['list', types[0]!] : undefined;
  }
  if (typeof expression !== 'string') return typeof expression === 'number' ? 'number' : typeof expression === 'boolean' ? 'bool' : undefined;
  const match = REFERENCE.exec(expression);
  if (!match) return 'string';
  const [, isData, resourceType, path] = match;
  let block: SchemaBlock | undefined;
  for (const provider of Object.values(schemas.provider_schemas ?? {})) {
    block = (isData ? provider.data_source_schemas : provider.resource_schemas)?.[resourceType!]?.block;
    if (block) break;
  }
  if (!block) return undefined;
  let current: SchemaBlock | undefined = block;
  let type: CtyType | undefined;
  for (const step of path!.split('.')) {
    const name = step.replace(/\[\d+\]$/, '');
    const indexed = step !== name;
    if (current) {
      const nested: { nesting_mode: string; block: SchemaBlock } | undefined = current.block_types?.[name];
      if (current.attributes?.[name]) {
        type = current.attributes[name].type;
        current = undefined;
      } else if (nested) {
        if (!indexed && nested.nesting_mode !== 'single') return undefined;
        current = nested.block;
        type = undefined;
        continue;
      } else {
        return undefined;
      }
    } else if (Array.isArray(type) && type[0] === 'object') {
      // An attribute of object type: step into its field.
      type = (type[1] as Record<string, CtyType>)[name];
      if (type === undefined) return undefined;
    } else {
      return undefined;
    }
    if (indexed && Array.isArray(type) && type[0] !== 'object') type = type[1] as CtyType;
  }
  return type;
}

/** A plausible value for a string attribute, shaped so provider-side validation accepts it. */
function placeholderString(resourceType: string, attribute: string, accountId: string): string {
  const hex = '0123456789abcdef0';
  if (attribute === 'arn' || attribute.endsWith('_arn')) return `arn:aws:iam::${accountId}:role/placeholder-${resourceType}`;
  if (attribute.endsWith('security_group_id')) return `sg-${hex}`;
  if (attribute.includes('cidr')) return '10.0.0.0/16';
  if (attribute === 'endpoint') return 'https://placeholder.gr7.us-east-1.eks.amazonaws.com';
  if (attribute === 'data') return Buffer.from('placeholder certificate').toString('base64');
  if (attribute === 'issuer') return 'https://oidc.eks.us-east-1.amazonaws.com/id/PLACEHOLDER';
  const prefixes: Record<string, string> = { aws_vpc: 'vpc', aws_subnet: 'subnet', aws_security_group: 'sg', aws_internet_gateway: 'igw', aws_nat_gateway: 'nat', aws_route_table: 'rtb', aws_launch_template: 'lt', aws_eip: 'eipalloc' };
  if (attribute === 'id' && prefixes[resourceType]) return `${prefixes[resourceType]}-${hex}`;
  return `placeholder-${resourceType.replace(/^aws_/, '')}-${attribute}`;
}

/** A plausible value of a cty type for an attribute (ids, ARNs, CIDRs shaped as AWS expects). */
export function placeholderForType(type: CtyType, resourceType: string, attribute: string, accountId: string): unknown {
  return placeholderValue(type, resourceType, attribute, accountId);
}

function placeholderValue(type: CtyType, resourceType: string, attribute: string, accountId: string): unknown {
  if (type === 'string') return placeholderString(resourceType, attribute, accountId);
  if (type === 'number') return 1;
  if (type === 'bool') return false;
  if (Array.isArray(type)) {
    const [kind, inner] = type;
    if (kind === 'list' || kind === 'set' || kind === 'tuple') return [placeholderValue(inner as CtyType, resourceType, attribute, accountId)];
    if (kind === 'map') return {};
    if (kind === 'object') {
      return Object.fromEntries(Object.entries(inner as Record<string, CtyType>).map(([key, t]) => [key, placeholderValue(t, resourceType, key, accountId)]));
    }
  }
  return 'placeholder';
}

/** The literal a reference such as `${aws_eks_cluster.x.name}` points at, when the producer sets it to a plain value. */
function literalOf(producer: StackJson, expression: string): string | number | boolean | undefined {
  const match = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_]+)\}$/.exec(expression);
  if (!match) return undefined;
  const value = (producer.resource?.[match[1]!]?.[match[2]!] as Record<string, unknown> | undefined)?.[match[3]!];
  if (typeof value === 'string') return value.includes('${') ? undefined : value;
  return typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/**
 * A local state file (format v4) holding typed placeholder values for every output of a
 * producing stack, so stacks that read it through terraform_remote_state plan offline.
 */
export function placeholderState(producer: StackJson, schemas: ProviderSchemas, accountId: string): { state: object; untyped: string[] } {
  const outputs: Record<string, { value: unknown; type: CtyType; sensitive: boolean }> = {};
  const untyped: string[] = [];
  for (const [name, output] of Object.entries(producer.output ?? {})) {
    let type = referenceType(output.value, schemas);
    if (type === undefined) {
      untyped.push(name);
      type = 'string';
    }
    const match = typeof output.value === 'string' ? REFERENCE.exec(output.value) : null;
    const resourceType = match?.[2] ?? 'value';
    const attribute = match?.[3]?.split('.').pop()?.replace(/\[\d+\]$/, '') ?? name;
    // A value the producer sets literally (a cluster's name) is known before apply: the real value, not a placeholder.
    const literal = typeof output.value === 'string' ? literalOf(producer, output.value) : undefined;
    outputs[name] = { value: literal ?? placeholderValue(type, resourceType, attribute, accountId), type, sensitive: output.sensitive ?? false };
  }
  return {
    state: { version: 4, terraform_version: '1.10.0', serial: 1, lineage: 'offline-placeholder', outputs, resources: [], check_results: null },
    untyped,
  };
}
