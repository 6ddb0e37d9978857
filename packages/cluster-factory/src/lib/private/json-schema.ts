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
    const { errors } = this.validator.validate(value);
    const locations = errors.map((error) => error.instanceLocation);
    const leaves = errors.filter((error) => !locations.some((location) => location.startsWith(`${error.instanceLocation}/`)));
    return [...new Set(leaves.map((error) => `${readablePath(value, error.instanceLocation)}: ${error.error}`))];
  }
}

/** `#/spec/generators/0/list` -> `spec.generators[0].list`, following the value to tell array items from keys. */
function readablePath(value: unknown, instanceLocation: string): string {
  const segments = instanceLocation
    .replace(/^#\/?/, '')
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let current: unknown = value;
  for (const segment of segments) {
    path += Array.isArray(current) ? `[${segment}]` : path ? `.${segment}` : segment;
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return path || '(root)';
}
