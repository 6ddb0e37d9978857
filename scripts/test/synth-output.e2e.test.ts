import { describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { runAppProcessAsync, sharedAppBundle } from '@cilium-eks/cluster-factory/testing/app-process';
import { APPS } from '../lib/apps.js';

/**
 * cdktf.out is replaced atomically: concurrent synths and interrupts never lose or mix it.
 * e2e (`vitest run --mode e2e`): real processes of the app's bundle, as the synth target runs it
 * (six at once, others killed at chosen moments), and the real cdktf CLI, which runs main.ts
 * under tsx.
 */
const SANDBOX = APPS.sandbox!.dir;

const snapshot = directorySnapshot;

/** The sandbox output synthesized in this process (shared): every process below must write exactly this. */
const reference = (): Record<string, string> => snapshot(APPS.sandbox!.shared());

describe('synth output directory', () => {
  test('6 concurrent synths of one app into one cdktf.out all succeed; the output is complete; no staging directory is left', async () => {
    const expected = reference();
    const root = mkdtempSync(join(tmpdir(), 'synth-race-'));
    const outdir = join(root, 'cdktf.out');
    const bundle = await sharedAppBundle(SANDBOX);
    const results = await Promise.all(Array.from({ length: 6 }, () => runAppProcessAsync(SANDBOX, { outdir, bundle })));
    expect(results).toEqual(Array.from({ length: 6 }, () => ({ status: 0, stderr: expect.not.stringMatching(/ENOTEMPTY|Error/) })));
    expect(snapshot(outdir)).toEqual(expected);
    expect(readdirSync(root)).toEqual(['cdktf.out']);
  }, 180_000);

  test('a synth interrupted at any moment leaves a complete cdktf.out and no staging directory', async () => {
    const expected = reference();
    const bundle = await sharedAppBundle(SANDBOX);
    const root = mkdtempSync(join(tmpdir(), 'synth-interrupt-'));
    const outdir = join(root, 'cdktf.out');
    cpSync(APPS.sandbox!.shared(), outdir, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, CLUSTER_FACTORY_OUTDIR: outdir };
    delete env.CDKTF_OUTDIR;
    delete env.CLUSTER_FACTORY_CONFIG;
    const start = () => spawn(process.execPath, [bundle], { cwd: SANDBOX, env, stdio: 'ignore' });
    const exit = (child: ReturnType<typeof start>) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Signals spread over one whole run on this machine: before the handlers exist, while the
    // constructs are built, while writing, after the swap.
    const began = Date.now();
    expect(await exit(start())).toBe(0);
    const runMs = Date.now() - began;
    for (const delay of [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1].map((share) => Math.round(share * runMs))) {
      const child = start();
      const timer = setTimeout(() => child.kill('SIGTERM'), delay);
      const status = await exit(child);
      clearTimeout(timer);
      // null: killed before the app installed its handlers (nothing written yet).
      expect([0, 143, null], `exit status after SIGTERM at ${delay} ms of a ${runMs} ms run`).toContain(status);
      expect(snapshot(outdir), `after SIGTERM at ${delay} ms`).toEqual(expected);
      expect(readdirSync(root), `after SIGTERM at ${delay} ms`).toEqual(['cdktf.out']);
    }
    // A signal as soon as the staging directory exists, i.e. while the app is writing.
    const child = start();
    const poll = setInterval(() => {
      if (readdirSync(root).some((entry) => entry.startsWith('cdktf.out.staging-'))) child.kill('SIGTERM');
    }, 2);
    const status = await exit(child);
    clearInterval(poll);
    expect(status).toBe(143);
    expect(snapshot(outdir)).toEqual(expected);
    expect(readdirSync(root)).toEqual(['cdktf.out']);
  }, 180_000);
  test('under `cdktf synth` the CLI owns the output directory (CDKTF_OUTDIR): written in place, created when missing', () => {
    const expected = reference();
    const root = mkdtempSync(join(tmpdir(), 'cdktf-cli-'));
    const outdir = join(root, 'missing-parent', 'cdktf.out');
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
    delete env.CLUSTER_FACTORY_OUTDIR;
    delete env.CLUSTER_FACTORY_CONFIG;
    const result = spawnSync(join(SANDBOX, '../../node_modules/.bin/cdktf'), ['synth', '--output', outdir], { cwd: SANDBOX, env, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const synthesized = snapshot(outdir);
    for (const file of ['policy-report.json', 'stacks/sandbox-cluster/cdk.tf.json', 'stacks/sandbox-network/cdk.tf.json']) expect(synthesized[file], file).toBe(expected[file]);
    expect(readdirSync(join(root, 'missing-parent'))).toEqual(['cdktf.out']);
  }, 300_000);
});
