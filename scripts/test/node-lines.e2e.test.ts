import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CONFIG_OVERRIDE_VARIABLE, OUTDIR_OVERRIDE_VARIABLE } from '@cilium-eks/cluster-factory';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { sharedAppBundle } from '@cilium-eks/cluster-factory/testing/app-process';
import { skippedWhen } from '../../vitest.shared.js';
import { nodeLines } from '../node-lines.mjs';
import { APPS } from '../lib/apps.js';

/**
 * An app synthesized with another Node.js binary: `entry` is what its synth target runs (the
 * app's bundle, dist/main.cjs) or what `cdktf synth` runs (main.ts under tsx).
 */
function synthWith(node: string, appDir: string, outdir: string, entry: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, [OUTDIR_OVERRIDE_VARIABLE]: outdir };
    for (const name of [CONFIG_OVERRIDE_VARIABLE, 'CDKTF_OUTDIR', 'NODE_OPTIONS']) delete env[name];
    const child = spawn(node, entry, { cwd: appDir, env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const others = nodeLines().filter((line) => `v${line.version}` !== process.version);

/** Each supported line against the one running the tests (the primary line in CI). */
describe.each(others)('Node.js $version', (line) => {
  test(
    'synthesizes every app byte for byte as this line does, and prints the same',
    { ...skippedWhen(line.installed ? undefined : `Node.js ${line.version} is not installed here (node scripts/node-lines.mjs install)`), timeout: 300_000 },
    async () => {
      const root = mkdtempSync(join(tmpdir(), `node-${line.version}-`));
      for (const [name, app] of Object.entries(APPS)) {
        const here = app.synth({ outdir: join(root, 'here', name, 'cdktf.out') });
        // Every app's bundle; the sandbox also as `cdktf synth` runs it, through tsx's loader on that line.
        const entries: Array<[string, readonly string[]]> = [['bundle', [await sharedAppBundle(app.dir)]], ...(name === 'sandbox' ? [['tsx', ['--import', 'tsx', 'main.ts']] as [string, readonly string[]]] : [])];
        for (const [label, entry] of entries) {
          const outdir = join(root, 'there', label, name, 'cdktf.out');
          const there = await synthWith(join(line.bin, 'node'), app.dir, outdir, entry);
          expect(there.status, `${name} (${label}): ${there.stderr}`).toBe(here.status);
          expect(there.stderr, `${name} (${label})`).toBe(here.stderr);
          expect(directorySnapshot(outdir), `${name} (${label})`).toEqual(directorySnapshot(join(root, 'here', name, 'cdktf.out')));
        }
      }
    },
  );
});
