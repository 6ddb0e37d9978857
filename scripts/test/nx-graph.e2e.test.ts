import { afterAll, describe, expect, test } from 'vitest';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLE_FILE } from '@cilium-eks/cluster-factory/bundler';
import { sharedAppBundle } from '@cilium-eks/cluster-factory/testing/app-process';
import { SYNTH_VARIABLES } from '../nx-synth-input.mjs';
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
  for (const name of ['CLUSTER_FACTORY_CONFIG', 'CLUSTER_FACTORY_OUTDIR', 'NX_SKIP_NX_CACHE', ...Object.keys(SYNTH_VARIABLES)]) delete base[name];
  return { ...base, ...extra };
};
/**
 * Whether Nx answered the sandbox synth task itself from its cache (its bundle task may be
 * cached either way). Colours removed: under `nx run-many -t e2e`, FORCE_COLOR reaches this Nx.
 */
const synthFromCache = (output: string) =>
  /> nx run sandbox:synth +\[(local cache|existing outputs match the cache, left as is)\]/.test(output.replace(/\x1b\[[0-9;]*m/g, ''));

/** An empty cache with its own workspace data (Nx's task database remembers what is cached). */
const isolated = () => ({ NX_CACHE_DIRECTORY: fresh('cache'), NX_WORKSPACE_DATA_DIRECTORY: fresh('workspace-data') });

interface AffectedQuery {
  readonly files: readonly string[];
  readonly type?: 'app';
  readonly withTarget?: readonly string[];
}

/** Every app of the workspace (a generated environment included), sorted like affected() answers. */
const ALL_APPS = Object.keys(APPS).sort();
const sorted = (...projects: string[]) => [...projects].sort();

const APP_CASES: Array<[string, string[]]> = [
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
];

const PROJECT_CASES: Array<[string, string[]]> = [
  // Imports: plan-review, cost-estimate and the Nx plugin use cluster-factory; scripts and cost-estimate use terraform-harness.
  ['packages/cluster-factory/src/app/run-app.ts', sorted(...ALL_APPS, 'cluster-factory', 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts')],
  ['packages/cluster-factory/testing/app-process.ts', sorted(...ALL_APPS, 'cluster-factory', 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts')],
  ['packages/terraform-harness/src/index.ts', sorted(...ALL_APPS, 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts', 'terraform-harness')],
  // The typecheck executor is an input of every typecheck task (namedInputs.typecheckExecutor), so every project with one is affected.
  ['packages/nx-plugin/src/executors/typecheck/executor.ts', sorted(...ALL_APPS, 'cluster-factory', 'cost-estimate', 'nx-plugin', 'plan-review', 'scripts', 'terraform-harness')],
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
];

const DOCS_ONLY = ['docs/CI.md', 'README.md'];
const QUERIES: AffectedQuery[] = [
  ...APP_CASES.map(([file]) => ({ files: [file], type: 'app' as const })),
  ...PROJECT_CASES.map(([file]) => ({ files: [file] })),
  { files: DOCS_ONLY },
  { files: DOCS_ONLY, withTarget: ['synth'] },
  { files: ['package.json'] },
];

/** The same query as arguments of `nx show projects`. */
const cliArguments = (query: AffectedQuery) => [
  'show',
  'projects',
  '--affected',
  '--json',
  ...(query.type ? ['--type', query.type] : []),
  ...(query.withTarget ? ['--with-target', query.withTarget.join(',')] : []),
  `--files=${query.files.join(',')}`,
];

/**
 * Nx's answers to every query, from one Nx process and one project graph:
 * support/nx-show-projects.mjs does what `nx show projects --affected` does, with Nx's own
 * functions (a CLI run builds the graph again for each query, about a second of CPU each); the
 * last test asks the CLI itself one query of each kind.
 */
let answers: string[][] | undefined;
function affected(query: AffectedQuery): string[] {
  answers ??= JSON.parse(
    execFileSync(process.execPath, [join(import.meta.dirname, 'support/nx-show-projects.mjs'), JSON.stringify(QUERIES)], { cwd: ROOT, env: env(), encoding: 'utf8' }),
  ) as string[][];
  const index = QUERIES.findIndex((candidate) => JSON.stringify(candidate) === JSON.stringify(query));
  if (index === -1) throw new Error(`not among the queries: ${JSON.stringify(query)}`);
  return [...answers[index]!].sort();
}

describe('nx affected', () => {
  test.each(APP_CASES)('%s -> %j', (file, apps) => {
    expect(affected({ files: [file], type: 'app' })).toEqual(apps);
  });

  test('a docs-only change affects nothing that synthesizes: only the workspace tests that check the generated docs', () => {
    expect(affected({ files: DOCS_ONLY })).toEqual(['scripts']);
    expect(affected({ files: DOCS_ONLY, withTarget: ['synth'] })).toEqual([]);
  });

  test.each(PROJECT_CASES)('%s -> %j', (file, projects) => {
    expect(affected({ files: [file] })).toEqual(projects);
  });

  test('a root package.json change affects the workspace tests', () => {
    expect(affected({ files: ['package.json'] })).toContain('scripts');
  });

  test('the nx CLI gives the same answers (one query of each kind, side by side)', async () => {
    const sample = [QUERIES[0]!, QUERIES[APP_CASES.length]!, QUERIES.at(-2)!];
    const cli = await Promise.all(sample.map((query) => promisify(execFile)(NX, cliArguments(query), { cwd: ROOT, env: env(), encoding: 'utf8' })));
    expect(cli.map(({ stdout }) => (JSON.parse(stdout) as string[]).sort())).toEqual(sample.map(affected));
  }, 120_000);
});

/** The package a node_modules path belongs to (`@scope/name` or `name`). */
const packageOf = (path: string) => {
  const parts = `/${path}`.split('/node_modules/').at(-1)!.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
};

describe('app bundles (the synth target runs dist/main.cjs)', () => {
  test.each(Object.keys(APPS).sort())('%s: every file esbuild bundled is an input of the bundle target, so a change to any of them rebuilds it', async (app) => {
    const [bundleInputs, { stdout }] = await Promise.all([
      // The bundler's own list of what it read (esbuild's metafile).
      import('@cilium-eks/cluster-factory/bundler').then(({ bundleApp }) => bundleApp(APPS[app]!.dir, join(fresh(`bundle-${app}`), 'main.cjs'))),
      promisify(execFile)(NX, ['show', 'target', 'inputs', `${app}:bundle`, '--json'], { cwd: ROOT, env: env(), encoding: 'utf8' }),
    ]);
    const declared = JSON.parse(stdout) as { files: string[]; external: string[] };
    const files = new Set(declared.files);
    const workspaceFiles = bundleInputs.inputs.map((input) => relative(ROOT, input)).filter((path) => !path.startsWith('node_modules/'));
    const packages = [...new Set(bundleInputs.inputs.map((input) => relative(ROOT, input)).filter((path) => path.startsWith('node_modules/')).map(packageOf))];
    expect(workspaceFiles).toContain(`apps/${app}/main.ts`);
    expect(workspaceFiles).toContain('packages/cluster-factory/src/platform.ts');
    expect(workspaceFiles.filter((path) => !files.has(path))).toEqual([]);
    // Packages from node_modules: their versions are pinned in the lockfile, an input.
    expect(packages).toEqual(expect.arrayContaining(['cdktf', '@cdktf/provider-aws', 'zod']));
    expect(files.has('package-lock.json')).toBe(true);
    // The bundler itself is an input.
    expect(files.has('packages/cluster-factory/bundler/bundle-app.ts')).toBe(true);
  }, 120_000);
});

describe('nx cache', () => {
  test('a second run of lint, typecheck, test and synth with no change comes from the cache; the bundle it restores is the one a fresh bundling makes', async () => {
    const nx = isolated();
    const run = () =>
      execFileSync(NX, ['run-many', '-t', 'lint', 'typecheck', 'test', 'synth', '-p', 'sandbox', '--output-style=static'], {
        cwd: ROOT,
        env: env(nx),
        encoding: 'utf8',
      });
    const first = run();
    expect(first).not.toMatch(/read the output from the cache/);
    rmSync(join(APPS.sandbox!.dir, 'dist'), { recursive: true, force: true });
    const second = run();
    expect(second).toMatch(/Nx read the output from the cache instead of running the command for (\d+) out of \1 tasks/);
    expect(readFileSync(join(APPS.sandbox!.dir, BUNDLE_FILE), 'utf8')).toBe(readFileSync(await sharedAppBundle(APPS.sandbox!.dir), 'utf8'));
  }, 300_000);

  test('CLUSTER_FACTORY_CONFIG and the content of the file it names are synth inputs; the default output is never replaced by a variant', () => {
    const nx = isolated();
    const variant = join(fresh('variant'), 'sandbox.yaml');
    const sandbox = readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8');
    const synth = (config?: string) => {
      const out = execFileSync(NX, ['run', 'sandbox:synth', '--output-style=static'], { cwd: ROOT, env: env({ ...nx, ...(config ? { CLUSTER_FACTORY_CONFIG: config } : {}) }), encoding: 'utf8' });
      expect(out).not.toMatch(/flaky/);
      const stack = readFileSync(join(ROOT, 'apps/sandbox/cdktf.out/stacks/sandbox-cluster/cdk.tf.json'), 'utf8');
      return { cached: synthFromCache(out), retention: [...new Set([...stack.matchAll(/"retention_in_days": (\d+)/g)].map((match) => Number(match[1])))] };
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

  test('a synth that CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS let past a policy error is never the answer to a synth without it', () => {
    const nx = isolated();
    const variant = join(fresh('open-endpoint'), 'sandbox.yaml');
    const sandbox = readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8');
    writeFileSync(variant, sandbox.replace('public_cidrs: [203.0.113.0/24]', 'public_cidrs: [0.0.0.0/0]'));
    const synth = (extra: NodeJS.ProcessEnv) => {
      const run = spawnSync(NX, ['run', 'sandbox:synth', '--output-style=static'], { cwd: ROOT, env: env({ ...nx, ...extra }), encoding: 'utf8' });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    };
    const letThrough = synth({ CLUSTER_FACTORY_CONFIG: variant, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: '1' });
    expect(letThrough.status, letThrough.output).toBe(0);
    expect(letThrough.output).toContain('WARNING: 1 unsuppressed policy error(s) written anyway because CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS was set');
    const report = JSON.parse(readFileSync(join(ROOT, 'apps/sandbox/cdktf.out/policy-report.json'), 'utf8')) as { summary: { errors: number } };
    expect(report.summary.errors).toBe(1);
    // Without the variable the same config is refused: a fresh run, not the cached success.
    const refused = synth({ CLUSTER_FACTORY_CONFIG: variant });
    expect(refused.status, refused.output).toBe(1);
    expect(refused.output).not.toMatch(/read the output from the cache|flaky/);
    expect(refused.output).toContain('[EKS-002 / CKV_AWS_38] The public API endpoint is not open to 0.0.0.0/0');
    // The app's own output back in place for the other tests.
    expect(synth({}).status).toBe(0);
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
      expect(synthFromCache(out)).toBe(false);
      expect(out).not.toMatch(/flaky/);
      expect(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'))).toHaveProperty('stacks.sandbox-cluster');
    }
    expect(manifest()).toBe(before);
  }, 300_000);
});
