import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** What Nx itself answers (affected projects, cache hits) is asked of the real Nx CLI in nx-graph.e2e.test.ts. */
describe('what Nx cannot see', () => {
  test('no cluster-factory test reads a production config', () => {
    const grep = spawnSync('git', ['grep', '-l', '-E', String.raw`\.\./environments/[a-z-]+\.yaml`, '--', 'packages/cluster-factory/test'], { cwd: ROOT, encoding: 'utf8' });
    expect(grep.stdout).toBe('');
  });

  test('no synth asset is copied from a source folder: charts are generated from typed objects, whose source Nx hashes', () => {
    // A folder copied as an asset could hold git-ignored files that reach the output but not
    // the hash. The only TerraformAsset is ManifestChart's, built from objects at synth.
    const grep = spawnSync('git', ['grep', '-l', 'new TerraformAsset(', '--', 'packages', 'apps'], { cwd: ROOT, encoding: 'utf8' });
    expect(grep.stdout.trim().split('\n')).toEqual(['packages/cluster-factory/src/kubernetes/manifest-chart.ts']);
  });
});
