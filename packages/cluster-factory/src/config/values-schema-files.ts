import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SchemaDraft } from '@cfworker/json-schema';
import { JsonSchemaChecker } from '../lib/private/json-schema.js';
import { formatPath, quoted, type Finding } from './messages.js';

/** A Helm chart add-on as the schema parses it: the fields read here. */
interface HelmChartEntry {
  readonly values: Readonly<Record<string, unknown>>;
  readonly values_schema?: string;
}
interface WithHelmCharts {
  readonly user_addons: { readonly helm_charts: readonly HelmChartEntry[] };
}

/** The `$schema` URIs a values schema may declare, and the draft each is checked as (Helm's validator knows these too). */
const DRAFTS: Readonly<Record<string, SchemaDraft>> = {
  'http://json-schema.org/draft-04/schema': '4',
  'http://json-schema.org/draft-07/schema': '7',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
};

/** Draft 7 when the file names none: what chart values.schema.json files are mostly written in. */
const DEFAULT_DRAFT: SchemaDraft = '7';

/**
 * Checks the values of every `user_addons.helm_charts` entry that names a `values_schema` (a
 * JSON Schema file relative to the config's directory) with the checker the platform uses for
 * Cilium's values.schema.json: a file that cannot be read or is no JSON Schema is refused at
 * `values_schema`, each schema violation at the value's own field.
 */
export function valuesSchemaFindings(config: WithHelmCharts, configDirectory: string): Finding[] {
  const findings: Finding[] = [];
  config.user_addons.helm_charts.forEach((entry, index) => {
    if (entry.values_schema === undefined) return;
    const file = entry.values_schema;
    const at = ['user_addons', 'helm_charts', index];
    const refuseFile = (text: string) => findings.push({ path: [...at, 'values_schema'], text: `${formatPath([...at, 'values_schema'])}: ${text}` });
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(resolve(configDirectory, file), 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      refuseFile(code ? `cannot read ${file} (${code}); the path is relative to the directory of this config file` : `${file} is not JSON: ${(error as Error).message}`);
      return;
    }
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      refuseFile(`${file} is not a JSON Schema (a JSON object such as {"type": "object", "properties": {...}})`);
      return;
    }
    const declared = (schema as { $schema?: unknown }).$schema;
    const draft = declared === undefined ? DEFAULT_DRAFT : DRAFTS[String(declared).replace(/#$/, '')];
    if (!draft) {
      refuseFile(`${file} declares $schema ${quoted(declared)} (allowed: ${Object.keys(DRAFTS).join(', ')}, or none for draft 7)`);
      return;
    }
    for (const issue of new JsonSchemaChecker(schema, draft).issues(entry.values)) {
      const path = [...at, 'values', ...issue.path];
      // An unknown key is pointed at where it is written, not at its value.
      findings.push({ path, text: `${formatPath(path)}: ${issue.message} (values_schema ${file})`, ...(issue.message.startsWith('unknown key') ? { at: 'key' as const } : {}) });
    }
  });
  return findings;
}
