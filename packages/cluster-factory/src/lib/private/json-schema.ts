import { Validator, type Schema, type SchemaDraft } from '@cfworker/json-schema';

/**
 * A JSON Schema checked by interpretation (@cfworker/json-schema), not compiled to code. The
 * committed upstream schemas are large (the ApplicationSet CRD is 340 KB) and each process
 * checks a handful of objects: compiling with ajv cost ~2 s and ~250 MB per synth, this costs
 * milliseconds.
 */
export class JsonSchemaChecker {
  private readonly validator: Validator;

  constructor(
    private readonly schema: object,
    draft: SchemaDraft,
  ) {
    this.validator = new Validator(schema as Schema, draft, false);
  }

  /**
   * Every problem as `path: message` (`spec.generators[0].list`, `(root)`). Errors that only
   * say a property or item failed are left out when a deeper error says why.
   */
  problems(value: unknown): string[] {
    return [...new Set(this.issues(value).map((issue) => `${readablePath(issue.path)}: ${issue.message}`))];
  }

  /**
   * A key refused by `additionalProperties: false` fails as "False boolean schema." at the key:
   * said instead as an unknown key with the keys the schema allows there.
   */
  private readableError(error: ValidationError, errors: readonly ValidationError[]): string {
    if (error.keyword !== 'false') return error.error;
    const parent = error.instanceLocation.slice(0, error.instanceLocation.lastIndexOf('/'));
    const additional = errors.find((other) => other.instanceLocation === parent && other.keyword === 'additionalProperties');
    if (!additional) return error.error;
    const owner = schemaAt(this.schema, additional.keywordLocation.replace(/\/additionalProperties$/, '')) as { properties?: object } | undefined;
    const allowed = Object.keys(owner?.properties ?? {});
    return allowed.length > 0 ? `unknown key (allowed here: ${allowed.join(', ')})` : 'unknown key (the schema allows no keys here)';
  }

  /** The same problems, each with its path as keys and list indexes (`[]` is the root). */
  issues(value: unknown): Array<{ path: Array<string | number>; message: string }> {
    const { errors } = this.validator.validate(value);
    const locations = errors.map((error) => error.instanceLocation);
    const leaves = errors.filter((error) => !locations.some((location) => location.startsWith(`${error.instanceLocation}/`)));
    const seen = new Set<string>();
    return leaves.flatMap((error) => {
      const key = `${error.instanceLocation} ${error.error}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ path: pathSegments(value, error.instanceLocation), message: this.readableError(error, errors) }];
    });
  }
}

type ValidationError = ReturnType<Validator['validate']>['errors'][number];

/** The schema node a keyword location points to, following local `$ref`s on the way. */
function schemaAt(schema: object, keywordLocation: string): unknown {
  const resolve = (pointer: string): unknown =>
    pointer
      .replace(/^#\/?/, '')
      .split('/')
      .filter((segment) => segment !== '')
      .reduce<unknown>((node, segment) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), schema);
  let node: unknown = schema;
  for (const segment of keywordLocation.replace(/^#\/?/, '').split('/').filter((part) => part !== '')) {
    if (!node || typeof node !== 'object') return undefined;
    const next = (node as Record<string, unknown>)[decodeURIComponent(segment)];
    node = segment === '$ref' && typeof next === 'string' && next.startsWith('#') ? resolve(next) : next;
  }
  return node;
}

/** `#/spec/generators/0/list` -> `['spec', 'generators', 0, 'list']`, following the value to tell list indexes from keys. */
function pathSegments(value: unknown, instanceLocation: string): Array<string | number> {
  const segments = instanceLocation
    .replace(/^#\/?/, '')
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  const path: Array<string | number> = [];
  let current: unknown = value;
  for (const segment of segments) {
    path.push(Array.isArray(current) ? Number(segment) : segment);
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

/** `['spec', 'generators', 0, 'list']` -> `spec.generators[0].list`. */
function readablePath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '') || '(root)';
}
