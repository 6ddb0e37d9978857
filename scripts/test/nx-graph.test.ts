import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const NX = join(ROOT, 'node_modules/.bin/nx');
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...extra });

/** Apps whose synth Nx would run for a change to these files. */
function affectedApps(...files: string[]): string[] {
  const out = execFileSync(NX, ['show', 'projects', '--affected', '--type', 'app', '--json', `--files=${files.join(',')}`], { cwd: ROOT, env: env(), encoding: 'utf8' });
  return (JSON.parse(out) as string[]).sort();
}

describe('nx affected', () => {
  test.each([
    ['environments/prod.yaml', ['prod']],
    ['environments/sandbox.yaml', ['sandbox']],
    ['environments/multi-region.yaml', ['multi-region']],
    ['apps/prod/src/prod.ts', ['prod']],
    ['apps/sandbox/main.ts', ['sandbox']],
    ['apps/multi-region/src/multi-region.ts', ['multi-region']],
    ['packages/cluster-factory/src/platform.ts', ['multi-region', 'prod', 'sandbox']],
    ['packages/cluster-factory/reference/cilium-1.19.6/values.schema.json', ['multi-region', 'prod', 'sandbox']],
    ['packages/terraform-harness/src/check-stacks.ts', ['multi-region', 'prod', 'sandbox']],
    ['docs/KARPENTER.md', []],
    ['README.md', []],
    ['docs/environments/prod.md', []],
  ])('%s -> %j', (file, apps) => {
    expect(affectedApps(file)).toEqual(apps);
  });

  test('a docs-only change affects nothing that synthesizes: only the workspace tests that check the generated docs', () => {
    const out = execFileSync(NX, ['show', 'projects', '--affected', '--json', '--files=docs/CI.md,README.md'], { cwd: ROOT, env: env(), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['scripts']);
    const withSynth = execFileSync(NX, ['show', 'projects', '--affected', '--with-target', 'synth', '--json', '--files=docs/CI.md,README.md'], { cwd: ROOT, env: env(), encoding: 'utf8' });
    expect(JSON.parse(withSynth)).toEqual([]);
  });
});

describe('nx cache', () => {
  test('a second run of lint, typecheck, test and synth with no change comes from the cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'nx-cache-'));
    const run = () =>
      execFileSync(NX, ['run-many', '-t', 'lint', 'typecheck', 'test', 'synth', '-p', 'sandbox', '--output-style=static'], {
        cwd: ROOT,
        env: env({ NX_CACHE_DIRECTORY: cache, NX_SKIP_NX_CACHE: undefined }),
        encoding: 'utf8',
      });
    const first = run();
    expect(first).not.toMatch(/read the output from the cache/);
    const second = run();
    expect(second).toMatch(/Nx read the output from the cache instead of running the command for (\d+) out of \1 tasks/);
  }, 300_000);
});
