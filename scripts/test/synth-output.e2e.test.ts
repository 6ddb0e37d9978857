import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { APPS } from '../lib/apps.js';

const SANDBOX = APPS.sandbox!.dir;

/** The real cdktf CLI runs the app (cdktf.json), so this is an e2e test (`vitest run --mode e2e`). */
describe('synth output directory', () => {
  test('under `cdktf synth` the CLI owns the output directory (CDKTF_OUTDIR): written in place, created when missing', () => {
    const expected = directorySnapshot(APPS.sandbox!.shared());
    const root = mkdtempSync(join(tmpdir(), 'cdktf-cli-'));
    const outdir = join(root, 'missing-parent', 'cdktf.out');
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
    delete env.CLUSTER_FACTORY_OUTDIR;
    delete env.CLUSTER_FACTORY_CONFIG;
    const result = spawnSync(join(SANDBOX, '../../node_modules/.bin/cdktf'), ['synth', '--output', outdir], { cwd: SANDBOX, env, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const synthesized = directorySnapshot(outdir);
    for (const file of ['policy-report.json', 'stacks/sandbox-cluster/cdk.tf.json', 'stacks/sandbox-network/cdk.tf.json']) expect(synthesized[file], file).toBe(expected[file]);
    expect(readdirSync(join(root, 'missing-parent'))).toEqual(['cdktf.out']);
  }, 300_000);
});
