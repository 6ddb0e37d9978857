import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, type VitestReport } from '../lib/test-summary.js';

const ROOT = join(import.meta.dirname, '../..');

describe('closing summary of real test runs', () => {
  test('without TF_PLUGIN_MIRROR, the e2e tests that skip are named with the reason (issue 24)', () => {
    // The real terraform-harness e2e run of a machine without a mirror, its report kept apart from CI's.
    const report = join(mkdtempSync(join(tmpdir(), 'summary-')), 'terraform-harness-e2e.json');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['TF_PLUGIN_MIRROR', 'CI', 'VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete env[name];
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--mode', 'e2e', `--outputFile.json=${report}`], {
      cwd: join(ROOT, 'packages/terraform-harness'),
      env,
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const summary = summarize([{ label: '', reports: [{ project: 'terraform-harness-e2e', report: JSON.parse(readFileSync(report, 'utf8')) as VitestReport }] }]);
    expect(summary.text).toBe(
      [
        '  terraform-harness-e2e: 1 passed, 0 failed',
        'skipped (3):',
        "  3 because TF_PLUGIN_MIRROR is not set: no provider mirror to install hashicorp/aws from (.ci/run finds the machine's):",
        '    terraform-harness-e2e: real terraform against the offline mirror (TF_PLUGIN_MIRROR) plans a producer and a consumer of remote state; reports a helm stack as not checked',
        '    terraform-harness-e2e: real terraform against the offline mirror (TF_PLUGIN_MIRROR) without a separate validate, a plan still refuses what terraform validate refuses (a resource with count 0 included); the JSON plan is written only when asked for',
        "    terraform-harness-e2e: one aws provider process for a run's plans (TF_PLUGIN_MIRROR) plans attached to one shared process equal plans with a plugin per run: each stack keeps its region and default tags, aliases run on their own, and no process is left",
        '1 passed, 0 failed, 3 skipped',
        '',
      ].join('\n'),
    );
  }, 120_000);
});
