/**
 * The comparison behind the CDK Terrain check (scripts/cdk-terrain.ts, docs/CDK_TERRAIN.md):
 * an app's output synthesized with CDK Terrain (cdktn) against the same app synthesized with
 * cdktf. The only difference allowed is the framework version each writes into its metadata.
 */
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';

/** Where the framework writes its own version: manifest.json's `version`, each stack's `//.metadata.version`. */
function withoutFrameworkVersion(path: string, json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json;
  const copy = structuredClone(json) as Record<string, unknown>;
  if (path === 'manifest.json') delete copy.version;
  if (/^stacks\/[^/]+\/cdk\.tf\.json$/.test(path)) {
    const metadata = (copy['//'] as { metadata?: Record<string, unknown> } | undefined)?.metadata;
    if (metadata) delete metadata.version;
  }
  return copy;
}

/** The framework version an output was written by (manifest.json's `version`). */
export function frameworkVersionOf(snapshot: Readonly<Record<string, string>>): string | undefined {
  const manifest = snapshot['manifest.json'];
  return manifest ? (JSON.parse(manifest) as { version?: string }).version : undefined;
}

/**
 * Every difference between two outputs (cdktf.out directories, or their snapshots) other than
 * the framework version, one line each; empty when they are the same. JSON files are compared
 * as JSON with their keys in order (cdktn writes empty arrays in manifest.json as `[]` where
 * cdktf writes `[\n]`), every other file byte for byte.
 */
export function synthDifferences(reference: string | Readonly<Record<string, string>>, candidate: string | Readonly<Record<string, string>>): string[] {
  const before = typeof reference === 'string' ? directorySnapshot(reference) : reference;
  const after = typeof candidate === 'string' ? directorySnapshot(candidate) : candidate;
  const differences: string[] = [];
  for (const path of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[path];
    const b = after[path];
    if (a === undefined) differences.push(`${path}: only in the CDK Terrain output`);
    else if (b === undefined) differences.push(`${path}: missing from the CDK Terrain output`);
    else if (a !== b) {
      // JSON: the same values with the same key order (a reordered stack is another review diff).
      const [left, right] = path.endsWith('.json') ? [a, b].map((text) => `${JSON.stringify(withoutFrameworkVersion(path, JSON.parse(text)), null, 2)}\n`) : [a, b];
      if (left !== right) differences.push(`${path}: ${firstDifference(left!, right!)}`);
    }
  }
  return differences;
}

/** The first line that differs, both ways, to say what changed. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const index = left.findIndex((line, position) => line !== right[position]);
  const line = index === -1 ? left.length : index;
  return `line ${line + 1}: cdktf ${JSON.stringify(left[line]?.trim() ?? '(end)')}, CDK Terrain ${JSON.stringify(right[line]?.trim() ?? '(end)')}`;
}
