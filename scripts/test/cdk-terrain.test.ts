import { describe, expect, test } from 'vitest';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { frameworkVersionOf, synthDifferences } from '../lib/cdk-terrain.js';
import { APPS } from '../lib/apps.js';

/**
 * The comparison of the CDK Terrain check (scripts/cdk-terrain.ts) on the real sandbox output:
 * what CDK Terrain changes (the version, manifest.json's whitespace) passes; anything else fails.
 */
const cdktf = () => directorySnapshot(APPS.sandbox!.shared());

/** The sandbox output as CDK Terrain 0.24.0 writes it: its version in the metadata, `[]` for empty arrays in manifest.json. */
function asCdkTerrainWritesIt(output: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(output).map(([path, text]) => {
      if (path === 'manifest.json') return [path, text.replace(/"version": "0\.21\.0"/, '"version": "0.24.0"').replace(/\[\n\s*\]/g, '[]')];
      // The first version in a stack is its metadata's (`//` comes first).
      if (path.endsWith('cdk.tf.json')) return [path, text.replace('"version": "0.21.0"', '"version": "0.24.0"')];
      return [path, text];
    }),
  );
}

const CLUSTER = 'stacks/sandbox-cluster/cdk.tf.json';

describe('CDK Terrain check: the comparison', () => {
  test('the framework version in the metadata and manifest.json whitespace are the only differences allowed', () => {
    const reference = cdktf();
    const terrain = asCdkTerrainWritesIt(reference);
    expect(frameworkVersionOf(reference)).toBe('0.21.0');
    expect(frameworkVersionOf(terrain)).toBe('0.24.0');
    // The rewrite above did change every stack and the manifest: the check is not comparing equal bytes.
    const changed = Object.keys(reference).filter((path) => reference[path] !== terrain[path]);
    expect(changed).toEqual(expect.arrayContaining(['manifest.json', CLUSTER, 'stacks/sandbox-network/cdk.tf.json']));
    expect(synthDifferences(reference, terrain)).toEqual([]);
  });

  test('a changed value in a stack fails, naming the file and the line', () => {
    const reference = cdktf();
    const terrain = asCdkTerrainWritesIt(reference);
    expect(terrain[CLUSTER]).toContain('"retention_in_days": 7');
    terrain[CLUSTER] = terrain[CLUSTER]!.replace('"retention_in_days": 7', '"retention_in_days": 14');
    expect(synthDifferences(reference, terrain)).toEqual([expect.stringMatching(/^stacks\/sandbox-cluster\/cdk\.tf\.json: line \d+: cdktf "\\"retention_in_days\\": 7,?", CDK Terrain "\\"retention_in_days\\": 14,?"$/)]);
  });

  test('the version anywhere but the framework metadata fails, as do reordered keys, a changed asset, a missing or an extra file', () => {
    const reference = cdktf();
    const base = asCdkTerrainWritesIt(reference);
    const variant = (change: (output: Record<string, string>) => void) => {
      const output = { ...base };
      change(output);
      return synthDifferences(reference, output);
    };
    // A resource that carried the version would be a real change for Terraform.
    expect(variant((output) => (output[CLUSTER] = output[CLUSTER]!.replace('"retention_in_days": 7', '"retention_in_days": "0.24.0"')))).toHaveLength(1);
    const reordered = variant((output) => {
      const stack = JSON.parse(output[CLUSTER]!) as Record<string, unknown>;
      output[CLUSTER] = JSON.stringify(Object.fromEntries(Object.entries(stack).reverse()), null, 2);
    });
    expect(reordered).toEqual([expect.stringMatching(/^stacks\/sandbox-cluster\/cdk\.tf\.json: line 2: /)]);
    const asset = Object.keys(base).find((path) => path.endsWith('.yaml'))!;
    expect(variant((output) => (output[asset] = `${output[asset]}# changed\n`))).toEqual([expect.stringMatching(new RegExp(`^${asset.replace(/[.]/g, '\\.')}: line \\d+: `))]);
    expect(variant((output) => delete output['policy-report.json'])).toEqual(['policy-report.json: missing from the CDK Terrain output']);
    expect(variant((output) => (output['stacks/sandbox-extra/cdk.tf.json'] = '{}'))).toEqual(['stacks/sandbox-extra/cdk.tf.json: only in the CDK Terrain output']);
  });
});
