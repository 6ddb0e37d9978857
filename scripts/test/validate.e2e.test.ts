import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { APPS } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');

describe('validate (the real terraform) without a provider mirror and without registry access', () => {
  test('every sandbox stack is NOT CHECKED with the reason, none failed, and the run says so (issue 24)', () => {
    // Every download goes to a proxy that refuses connections: a machine without registry access.
    const env: NodeJS.ProcessEnv = { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
    delete env[PLUGIN_MIRROR_VARIABLE];
    // The sandbox validate target's command, on the shared sandbox output (the harness works on copies).
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'packages/terraform-harness/src/cli.ts', APPS.sandbox!.shared()], { cwd: ROOT, env, encoding: 'utf8' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('6 stacks: 0 validated and planned, 0 validated only, 6 not checked, 0 failed');
    const reason = 'providers could not be installed: registry.terraform.io is unreachable (Failed to query available provider packages); set TF_PLUGIN_MIRROR to an offline mirror to check it here';
    expect(lines.slice(0, -1).map((line) => line.replace(/^(\S+) +/, '$1 '))).toEqual(
      ['sandbox-network', 'sandbox-cluster', 'sandbox-cni', 'sandbox-compute', 'sandbox-platform', 'sandbox-state'].map((stack) => `${stack} NOT CHECKED: ${reason}`),
    );
    expect(run.status, run.stderr).toBe(0);
  }, 120_000);
});
