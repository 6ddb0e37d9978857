import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { environmentSchema, type EnvironmentConfig } from './schema.js';
import { multiRegionSchema, type MultiRegionConfig } from './multi-region-schema.js';
import { describeIssue } from './messages.js';

/**
 * Raised for any invalid environment file. Each problem is one compiler-style line,
 * `file:line:column: field: what is wrong (what is allowed)`, so editors can jump to it.
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Alias uses a config may expand (yaml's default): enough for anchors, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/** Environment variable that makes an app read another config file (a variant, a test fixture). */
export const CONFIG_OVERRIDE_VARIABLE = 'CLUSTER_FACTORY_CONFIG';

/**
 * Resolves which file an app reads: `CLUSTER_FACTORY_CONFIG` when set, its own file otherwise.
 */
export function resolveConfigPath(defaultPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[CONFIG_OVERRIDE_VARIABLE];
  return override && override.trim() !== '' ? override : defaultPath;
}

/** Reads, parses and validates an environment file. Throws ConfigError naming file, line, field. */
export function loadEnvironmentConfig(path: string): EnvironmentConfig {
  return loadConfig(path, environmentSchema);
}

/** Reads, parses and validates a multi-region environment file (shared settings plus regions). */
export function loadMultiRegionConfig(path: string): MultiRegionConfig {
  return loadConfig(path, multiRegionSchema);
}

/** Validates environment config text; `file` is the name used in messages. */
export function parseEnvironmentConfig(text: string, file: string): EnvironmentConfig {
  return parseConfig(text, file, environmentSchema);
}

/** Reads a YAML config file and validates it with a schema. */
export function loadConfig<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  const display = configDisplayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(display, [`${display}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  return parseConfig(text, display, schema);
}

/** Validates YAML config text with a schema; every problem is reported with its line. */
export function parseConfig<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${error.message.split('\n')[0]}`;
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // yaml throws a ReferenceError for an alias bomb ("billion laughs").
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError(file, [`${file}: YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} alias uses; an environment file needs few or none)`]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(file, [`${file}: the file must be a YAML mapping of settings`]);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const locate = (path: readonly PropertyKey[], at: 'key' | 'value'): string => {
      const node = nodeAt(doc.contents, path, at);
      if (!node?.range) return `${file}: `;
      const { line, col } = lineCounter.linePos(node.range[0]);
      return `${file}:${line}:${col}: `;
    };
    const problems = result.error.issues.flatMap((issue: z.core.$ZodIssue) => describeIssue(issue, data, schema));
    throw new ConfigError(file, problems.map((finding) => `${locate(finding.path, finding.at ?? 'value')}${finding.text}`));
  }
  return result.data;
}

/** The YAML node at a path (its key or its value), or undefined when the path is not in the file. */
function nodeAt(root: unknown, path: readonly PropertyKey[], at: 'key' | 'value'): Node | undefined {
  let node = root as Node | undefined;
  for (const [index, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      if (!pair) return undefined;
      node = (at === 'key' && index === path.length - 1 ? pair.key : (pair.value ?? pair.key)) as Node;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | undefined;
    } else {
      return undefined;
    }
  }
  return node;
}

/** How messages name a config file: relative to the working directory when inside it. */
export function configDisplayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
