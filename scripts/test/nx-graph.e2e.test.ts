import { afterAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');
const NX = join(ROOT, 'node_modules/.bin/nx');
/**
 * Hermetic: Nx's cache and its workspace data (project graph, file map, task history) live in
 * a fresh directory, so earlier runs on this checkout cannot change what these tests see.
 */
const scratch = mkdtempSync(join(tmpdir(), 'nx-graph-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fresh = (name: string) => mkdtempSync(join(scratch, `${name}-`));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_WORKSPACE_DATA_DIRECTORY: join(scratch, 'workspace-data'), NX_CACHE_DIRECTORY: join(scratch, 'cache') };
  for (const name of ['CLUSTER_FACTORY_CONFIG', 'CLUSTER_FACTORY_OUTDIR', 'CDKTF_OUTDIR', 'NX_SKIP_NX_CACHE']) delete base[name];
  return { ...base, ...extra };
};
/** An empty cache with its own workspace data (Nx's task database remembers what is cached). */
const isolated = () => ({ NX_CACHE_DIRECTORY: fresh('cache'), NX_WORKSPACE_DATA_DIRECTORY: fresh('workspace-data') });

/** Projects Nx would run for a change to these files. */
function affected(files: string[], ...flags: string[]): string[] {
  const out = execFileSync(NX, ['show', 'projects', '--affected', '--json', ...flags, `--files=${files.join(',')}`], { cwd: ROOT, env: env(), encoding: 'utf8' });
  return (JSON.parse(out) as string[]).sort();
}
const affectedApps = (...files: string[]) => affected(files, '--type', 'app');
/** Every app of the workspace (a generated environment included), sorted like affected() answers. */
const ALL_APPS = Object.keys(APPS).sort();
const sorted = (...projects: string[]) => [...projects].sort();

describe('nx affected', () => {
  test.each([
    ['environments/prod.yaml', ['prod']],
    ['environments/sandbox.yaml', ['sandbox']],
    ['environments/multi-region.yaml', ['multi-region']],
    ['apps/prod/src/prod.ts', ['prod']],
    ['apps/sandbox/main.ts', ['sandbox']],
    ['apps/multi-region/src/multi-region.ts', ['multi-region']],
    ['packages/cluster-factory/src/platform.ts', ALL_APPS],
    ['packages/cluster-factory/reference/cilium-1.19.6/values.schema.json', ALL_APPS],
    ['packages/terraform-harness/src/check-stacks.ts', ALL_APPS],
    ['docs/KARPENTER.md', []],
    ['README.md', []],
    ['docs/environments/prod.md', []],
  ])('%s -> %j', (file, apps) => {
    expect(affectedApps(file)).toEqual(apps);
  });

  test('a docs-only change affects nothing that synthesizes: only the workspace tests that check the generated docs', () => {
    expect(affected(['docs/CI.md', 'README.md'])).toEqual(['scripts']);
    expect(affected(['docs/CI.md', 'README.md'], '--with-target', 'synth')).toEqual([]);
  });

  test.each([
    // Imports: plan-review, cost-estimate and the Nx plugin use cluster-factory; scripts and cost-estimate use terraform-harness.
    ['packages/cluster-factory/src/app/run-app.ts', sorted(...ALL_APPS, 'cluster-factory', 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts')],
    ['packages/cluster-factory/testing/app-process.ts', sorted(...ALL_APPS, 'cluster-factory', 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts')],
    ['packages/terraform-harness/src/index.ts', sorted(...ALL_APPS, 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts', 'terraform-harness')],
    // Files outside every project that the workspace tests (and the generator's, which edits them) read.
    ['.github/workflows/deploy.yml', ['nx-plugin', 'scripts']],
    ['.github/workflows/pull-request.yml', ['nx-plugin', 'scripts']],
    ['.ci/run', ['scripts']],
    ['cdktf.json', ['scripts']],
    ['main.ts', ['scripts']],
    ['workspace-apps.ts', ['nx-plugin', 'scripts']],
    // The workspace tests synthesize the apps in process (scripts/lib/apps.ts imports their definitions).
    ['apps/sandbox/src/sandbox.ts', ['nx-plugin', 'sandbox', 'scripts']],
    // The library's tests use fixtures of their own, not the production configs; the generator's read them.
    ['environments/sandbox.yaml', ['nx-plugin', 'sandbox', 'scripts']],
    ['environments/multi-region.yaml', ['multi-region', 'nx-plugin', 'scripts']],
    // ...but they compare the committed JSON Schemas.
    ['environments/environment.schema.json', sorted(...ALL_APPS, 'cluster-factory', 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts')],
  ])('%s -> %j', (file, projects) => {
    expect(affected([file])).toEqual(projects);
  });

  test('a root package.json change affects the workspace tests', () => {
    expect(affected(['package.json'])).toContain('scripts');
  });

});

describe('nx cache', () => {
  test('a second run of lint, typecheck, test and synth with no change comes from the cache', () => {
    const nx = isolated();
    const run = () =>
      execFileSync(NX, ['run-many', '-t', 'lint', 'typecheck', 'test', 'synth', '-p', 'sandbox', '--output-style=static'], {
        cwd: ROOT,
        env: env(nx),
        encoding: 'utf8',
      });
    const first = run();
    expect(first).not.toMatch(/read the output from the cache/);
    const second = run();
    expect(second).toMatch(/Nx read the output from the cache instead of running the command for (\d+) out of \1 tasks/);
  }, 300_000);

  test('CLUSTER_FACTORY_CONFIG and the content of the file it names are synth inputs; the default output is never replaced by a variant', () => {
    const nx = isolated();
    const variant = join(fresh('variant'), 'sandbox.yaml');
    const sandbox = readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8');
    const synth = (config?: string) => {
      const out = execFileSync(NX, ['run', 'sandbox:synth', '--output-style=static'], { cwd: ROOT, env: env({ ...nx, ...(config ? { CLUSTER_FACTORY_CONFIG: config } : {}) }), encoding: 'utf8' });
      expect(out).not.toMatch(/flaky/);
      const stack = readFileSync(join(ROOT, 'apps/sandbox/cdktf.out/stacks/sandbox-cluster/cdk.tf.json'), 'utf8');
      return { cached: /read the output from the cache/.test(out), retention: [...new Set([...stack.matchAll(/"retention_in_days": (\d+)/g)].map((match) => Number(match[1])))] };
    };
    expect(sandbox).toMatch(/^log_retention_days: 7$/m);
    expect(synth()).toEqual({ cached: false, retention: [7] });
    writeFileSync(variant, sandbox.replace(/^log_retention_days: 7$/m, 'log_retention_days: 14'));
    expect(synth(variant)).toEqual({ cached: false, retention: [14] });
    expect(synth()).toEqual({ cached: true, retention: [7] });
    expect(synth(variant)).toEqual({ cached: true, retention: [14] });
    // The same file name with other content is another input.
    writeFileSync(variant, sandbox.replace(/^log_retention_days: 7$/m, 'log_retention_days: 30'));
    expect(synth(variant)).toEqual({ cached: false, retention: [30] });
    expect(synth()).toEqual({ cached: true, retention: [7] });
  }, 300_000);

  test('a synth redirected by CLUSTER_FACTORY_OUTDIR runs every time (Nx could not restore its output) and leaves the app output alone', () => {
    const nx = isolated();
    const outdir = join(fresh('outdir'), 'cdktf.out');
    const manifest = () => readFileSync(join(ROOT, 'apps/sandbox/cdktf.out/manifest.json'), 'utf8');
    execFileSync(NX, ['run', 'sandbox:synth', '--output-style=static'], { cwd: ROOT, env: env(nx), encoding: 'utf8' });
    const before = manifest();
    for (let run = 0; run < 2; run += 1) {
      rmSync(outdir, { recursive: true, force: true });
      const out = execFileSync(NX, ['run', 'sandbox:synth', '--output-style=static'], { cwd: ROOT, env: env({ ...nx, CLUSTER_FACTORY_OUTDIR: outdir }), encoding: 'utf8' });
      expect(out).not.toMatch(/read the output from the cache|flaky/);
      expect(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'))).toHaveProperty('stacks.sandbox-cluster');
    }
    expect(manifest()).toBe(before);
  }, 300_000);
});
