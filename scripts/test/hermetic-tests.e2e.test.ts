import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

describe('tests do not depend on the shell that runs them', () => {
  test("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS in the developer's shell changes no test result (no test target hashes it)", () => {
    const report = join(mkdtempSync(join(tmpdir(), 'hermetic-')), 'cluster-factory.json');
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: '1', SYNTH_HCL_OUTPUT: 'true' };
    for (const name of ['VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete env[name];
    // The policy tests expect refused synths: with the variable they would all succeed.
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/policy.test.ts', `--outputFile.json=${report}`], {
      cwd: join(ROOT, 'packages/cluster-factory'),
      env,
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number };
    expect(result.numFailedTests).toBe(0);
    expect(result.numPassedTests).toBeGreaterThan(10);
  }, 120_000);
});
