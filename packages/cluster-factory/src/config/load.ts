import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { environmentSchema, type EnvironmentConfig } from './schema.js';
import { multiRegionSchema, type MultiRegionConfig } from './multi-region-schema.js';
import { describeIssue, formatPath, type Finding } from './messages.js';
import { calendarToday } from '../lifecycle/eks-calendar.js';
import { kubernetesSupport, supportTypeOf, type SupportType } from '../lifecycle/kubernetes-support.js';
import { manifestFiles } from './manifest-files.js';
import { valuesSchemaFindings } from './values-schema-files.js';

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

/** What judging a config depends on besides its file. */
export interface ConfigLoadContext {
  /** The day (YYYY-MM-DD, UTC) the Kubernetes version is judged on. @default calendarToday() */
  readonly today?: string;
}

/** The fields of a config (single- or multi-region) the EKS calendar judges. */
interface LifecycleFields {
  readonly kubernetes_version: string;
  readonly upgrade_policy: { readonly support_type?: SupportType; readonly warn_days_before_standard_support_ends: number };
}

/** The checks of a valid config that depend on the day: a version EKS does not offer, a policy it cannot keep. */
export function lifecycleFindings(config: LifecycleFields, today: string): Finding[] {
  const { refusals } = kubernetesSupport(
    { version: config.kubernetes_version, supportType: supportTypeOf(config), warnDays: config.upgrade_policy.warn_days_before_standard_support_ends },
    today,
  );
  return refusals.map((refusal) => {
    const path = refusal.field.split('.');
    return { path, text: `${formatPath(path)}: ${refusal.message}` };
  });
}

/**
 * Reads, parses and validates an environment file. Throws ConfigError naming file, line, field.
 * Manifest files of user add-ons are read relative to it.
 */
export function loadEnvironmentConfig(path: string, context: ConfigLoadContext = {}): EnvironmentConfig {
  const files = manifestFiles(dirname(resolve(path)));
  return files.apply(loadConfig(path, environmentSchema, (config) => [...lifecycleFindings(config, context.today ?? calendarToday()), ...files.check(config), ...valuesSchemaFindings(config, dirname(resolve(path)))]));
}

/** Reads, parses and validates a multi-region environment file (shared settings plus regions). */
export function loadMultiRegionConfig(path: string, context: ConfigLoadContext = {}): MultiRegionConfig {
  const files = manifestFiles(dirname(resolve(path)));
  return files.apply(loadConfig(path, multiRegionSchema, (config) => [...lifecycleFindings(config, context.today ?? calendarToday()), ...files.check(config), ...valuesSchemaFindings(config, dirname(resolve(path)))]));
}

/** Validates environment config text; `file` is the name used in messages (and the directory of manifest files). */
export function parseEnvironmentConfig(text: string, file: string, context: ConfigLoadContext = {}): EnvironmentConfig {
  const files = manifestFiles(dirname(resolve(file)));
  return files.apply(parseConfig(text, file, environmentSchema, (config) => [...lifecycleFindings(config, context.today ?? calendarToday()), ...files.check(config), ...valuesSchemaFindings(config, dirname(resolve(file)))]));
}

/**
 * Reads a YAML config file and validates it with a schema, then with `check` (findings that
 * need more than the file, such as the day), each located in the file.
 */
export function loadConfig<S extends z.ZodType>(path: string, schema: S, check?: (config: z.output<S>) => Finding[]): z.output<S> {
  const display = configDisplayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(display, [`${display}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  return parseConfig(text, display, schema, check);
}

/** Validates YAML config text with a schema, then with `check`; every problem is reported with its line. */
export function parseConfig<S extends z.ZodType>(text: string, file: string, schema: S, check?: (config: z.output<S>) => Finding[]): z.output<S> {
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
  // A field the file leaves out (its default applies) is located at its nearest ancestor in the file.
  const locate = (path: readonly PropertyKey[], at: 'key' | 'value'): string => {
    for (let depth = path.length; depth > 0; depth -= 1) {
      const node = nodeAt(doc.contents, path.slice(0, depth), depth === path.length ? at : 'key');
      if (node?.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return `${file}:${line}:${col}: `;
      }
    }
    return `${file}: `;
  };
  const report = (findings: readonly Finding[]) => new ConfigError(file, findings.map((finding) => `${locate(finding.path, finding.at ?? 'value')}${finding.text}`));
  const result = schema.safeParse(data);
  if (!result.success) throw report(result.error.issues.flatMap((issue: z.core.$ZodIssue) => describeIssue(issue, data, schema)));
  const findings = check?.(result.data) ?? [];
  if (findings.length > 0) throw report(findings);
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
