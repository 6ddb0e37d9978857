import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CONFIG_OVERRIDE_VARIABLE, OUTDIR_OVERRIDE_VARIABLE } from '@cilium-eks/cluster-factory';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { skippedWhen } from '../../vitest.shared.js';
import { nodeLines } from '../node-lines.mjs';
import { APPS } from '../lib/apps.js';

/** An app's entry point (what its synth target runs) with another Node.js binary. */
function synthWith(node: string, appDir: string, outdir: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, [OUTDIR_OVERRIDE_VARIABLE]: outdir };
    for (const name of [CONFIG_OVERRIDE_VARIABLE, 'CDKTF_OUTDIR', 'NODE_OPTIONS']) delete env[name];
    const child = spawn(node, ['--import', 'tsx', 'main.ts'], { cwd: appDir, env });
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
        const there = await synthWith(join(line.bin, 'node'), app.dir, join(root, 'there', name, 'cdktf.out'));
        expect(there.status, `${name}: ${there.stderr}`).toBe(here.status);
        expect(there.stderr, name).toBe(here.stderr);
        expect(directorySnapshot(join(root, 'there', name, 'cdktf.out')), name).toEqual(directorySnapshot(join(root, 'here', name, 'cdktf.out')));
      }
    },
  );
});
