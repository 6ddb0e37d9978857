import { Validator, type Schema, type SchemaDraft } from '@cfworker/json-schema';

/**
 * A JSON Schema checked by interpretation (@cfworker/json-schema), not compiled to code. The
 * committed upstream schemas are large (the ApplicationSet CRD is 340 KB) and each process
 * checks a handful of objects: compiling with ajv cost ~2 s and ~250 MB per synth, this costs
 * milliseconds.
 */
export class JsonSchemaChecker {
  private readonly validator: Validator;

  constructor(schema: object, draft: SchemaDraft) {
    this.validator = new Validator(schema as Schema, draft, false);
  }

  /**
   * Every problem as `path: message` (`spec.generators[0].list`, `(root)`). Errors that only
   * say a property or item failed are left out when a deeper error says why.
   */
  problems(value: unknown): string[] {
    return [...new Set(this.issues(value).map((issue) => `${readablePath(issue.path)}: ${issue.message}`))];
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
      return [{ path: pathSegments(value, error.instanceLocation), message: error.error }];
    });
  }
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
