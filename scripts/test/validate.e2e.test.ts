import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { APPS } from '../lib/apps.js';
import { readValidateReports, summarize } from '../lib/test-summary.js';

const ROOT = join(import.meta.dirname, '../..');

describe('validate (the real terraform) without a provider mirror and without registry access', () => {
  test('every sandbox stack is NOT CHECKED with the reason, none failed, and the run says so (issue 24)', () => {
    // Every download goes to a proxy that refuses connections: a machine without registry access.
    const env: NodeJS.ProcessEnv = { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
    delete env[PLUGIN_MIRROR_VARIABLE];
    // And the reports for CI's closing summary.
    env.VALIDATE_REPORT_DIR = mkdtempSync(join(tmpdir(), 'validate-results-'));
    // The sandbox validate target's command, on the shared sandbox output (the harness works on copies).
    const outdir = APPS.sandbox!.shared();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'packages/terraform-harness/src/cli.ts', outdir], { cwd: ROOT, env, encoding: 'utf8' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('6 stacks: 0 validated and planned, 0 validated only, 6 not checked, 0 failed');
    const reason = 'providers could not be installed: registry.terraform.io is unreachable (Failed to query available provider packages); set TF_PLUGIN_MIRROR to an offline mirror to check it here';
    expect(lines.slice(0, -1).map((line) => line.replace(/^(\S+) +/, '$1 '))).toEqual(
      ['sandbox-network', 'sandbox-cluster', 'sandbox-cni', 'sandbox-compute', 'sandbox-platform', 'sandbox-state'].map((stack) => `${stack} NOT CHECKED: ${reason}`),
    );
    expect(run.status, run.stderr).toBe(0);
    // The closing summary names every stack that was not checked, under its reason.
    const app = basename(dirname(outdir));
    expect(summarize([], readValidateReports(env.VALIDATE_REPORT_DIR)).text.split('\n')).toEqual([
      'validate (terraform):',
      `  ${app}: 0 validated and planned, 0 validated only, 6 not checked, 0 failed`,
      `  6 not checked because ${reason}: sandbox-network, sandbox-cluster, sandbox-cni, sandbox-compute, sandbox-platform, sandbox-state`,
      '0 passed, 0 failed',
      '',
    ]);
  }, 120_000);
});
