/**
 * Derives a committed CRD schema (reference/crds/<dir>/<name>.<version>.json) from an
 * upstream CustomResourceDefinition file, so tests and synth validate objects against the
 * pinned upstream version without network access.
 *
 *   git --git-dir=<mirror> show <tag>:<path> | \
 *     tsx scripts/reference/extract-crd-schema.ts <served-version> "<source>" <out.json>
 *
 * Descriptions are dropped (they are documentation, not validation, and most of the size).
 * Helm chart CRDs carry `{{- if ... }}` wrappers: lines that are only a template action are
 * dropped before parsing (the schema itself has none).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [version, source, out] = process.argv.slice(2);
if (!version || !source || !out) {
  process.stderr.write('usage: extract-crd-schema.ts <served-version> <source> <out.json> < crd.yaml\n');
  process.exit(2);
}
const text = readFileSync(0, 'utf8')
  .split('\n')
  .filter((line) => !/^\s*\{\{-?.*-?\}\}\s*$/.test(line))
  .join('\n');
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
}
const crd = parseAllDocuments(text)
  .map((document) => document.toJS() as Crd | null)
  .find((document) => document?.kind === 'CustomResourceDefinition');
if (!crd) throw new Error('no CustomResourceDefinition in the input');
const served = crd.spec.versions.find((entry) => entry.name === version);
if (!served) throw new Error(`the CRD has no version ${version} (has ${crd.spec.versions.map((entry) => entry.name).join(', ')})`);
const withoutDescriptions = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'description' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDescriptions(value)]),
  );
};
const openAPIV3Schema = withoutDescriptions(served.schema.openAPIV3Schema);
const file = { source, group: crd.spec.group, kind: crd.spec.names.kind, version, openAPIV3Schema };
writeFileSync(out, `${JSON.stringify(file)}\n`);
process.stdout.write(`${out}: ${crd.spec.names.kind}.${crd.spec.group}/${version}\n`);
