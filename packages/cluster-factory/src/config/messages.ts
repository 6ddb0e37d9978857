import type { z } from 'zod';

type Path = readonly PropertyKey[];

/** Longest value or key a message shows; longer ones are cut (a 10,000-character value is not echoed). */
const MAX_SHOWN = 64;

/** A value as messages show it: JSON, cut after MAX_SHOWN characters with its length. */
export function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= MAX_SHOWN) return text;
  const length = typeof value === 'string' ? `${value.length} characters` : `${text.length} characters as JSON`;
  return `${text.slice(0, MAX_SHOWN - 24)}...${typeof value === 'string' ? '"' : ''} (${length})`;
}

/** `node_groups[0].instance_types[1]`; keys that are not plain words in brackets: `tags["aws:x"]`. */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    if (!/^[\w-]+$/.test(name) || name.length > MAX_SHOWN) return `${out}[${quoted(name)}]`;
    return out ? `${out}.${name}` : name;
  }, '');
}

function valueAt(data: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), data);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${quoted(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  element?: { _zod: { def: SchemaDef } };
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
}

/** The keys an object accepts at a path of a schema (for "allowed:" hints). */
export function allowedKeysAt(schema: z.ZodType, path: Path): string[] {
  let def: SchemaDef | undefined = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = () => {
    while (def && (def.innerType || def.in)) def = (def.innerType ?? def.in)!._zod.def;
  };
  for (const key of path) {
    unwrap();
    if (def?.type === 'object' && typeof key === 'string') def = def.shape?.[key]?._zod.def;
    else if (def?.type === 'array' && typeof key === 'number') def = def.element?._zod.def;
    else return [];
  }
  unwrap();
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

export interface Finding {
  readonly path: Path;
  readonly text: string;
  /** Point at the key (unknown keys) rather than the value. @default 'value' */
  readonly at?: 'key' | 'value';
}

/** The findings for one validation issue, each `field: what is wrong (what is allowed)`. */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown, schema: z.ZodType): Finding[] {
  const at = (path: Path, text: string): Finding[] => [{ path, text: `${formatPath(path) || '(top level)'}: ${text}` }];
  const value = valueAt(data, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, issue.path);
      const hint = allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
      return issue.keys.flatMap((key) => at([...issue.path, key], `unknown key${hint}`).map((finding) => ({ ...finding, at: 'key' as const })));
    }
    case 'invalid_type': {
      if (value === undefined) return at(issue.path, 'is required');
      // A schema's own message says how to fix it; zod's default only restates the types.
      const hint = /^Invalid input/.test(issue.message) ? '' : `; ${issue.message}`;
      return at(issue.path, `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${kindOf(value)}${hint}`);
    }
    case 'invalid_value':
      return at(issue.path, `${quoted(value)} is not allowed (allowed: ${issue.values.map(String).join(', ')})`);
    case 'invalid_format':
      return at(issue.path, `${quoted(value)} ${issue.message}`);
    case 'invalid_key': {
      const inner = issue.issues[0];
      const key = issue.path[issue.path.length - 1];
      if (inner?.code === 'too_big' && typeof key === 'string') return at(issue.path, `the key is ${key.length} characters long (maximum: ${String(inner.maximum)})`);
      if (inner?.code === 'too_small') return at(issue.path, 'the key must not be empty');
      return at(issue.path, `invalid key: ${inner?.message ?? issue.message}`);
    }
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'string' && typeof value === 'string') {
        if (issue.code === 'too_big') return at(issue.path, `is ${value.length} characters long (maximum: ${String(issue.maximum)})`);
        if (!/^Too small/.test(issue.message)) return at(issue.path, issue.message);
        return at(issue.path, Number(issue.minimum) === 1 ? 'must not be empty' : `is ${value.length} characters long (minimum: ${String(issue.minimum)})`);
      }
      if (issue.origin !== 'number') return at(issue.path, issue.message);
      // A schema's own message explains the limit; zod's default only states it.
      if (!/^Too (small|big)/.test(issue.message)) return at(issue.path, `${String(value)} ${issue.message}`);
      return at(issue.path, issue.code === 'too_small' ? `${String(value)} is too small (minimum: ${String(issue.minimum)})` : `${String(value)} is too large (maximum: ${String(issue.maximum)})`);
    }
    case 'invalid_union':
      return at(issue.path, `${quoted(value)} ${issue.message}`);
    default:
      return at(issue.path, issue.message);
  }
}
