/**
 * Benchmark (not a timed test): cold synth wall time and peak memory per app, type-check
 * time per project and test time per project, written to docs/performance.md.
 *
 * "Cold" means a fresh process and no Nx cache: exactly what `nx run <app>:synth
 * --skip-nx-cache` pays. Each synth runs RUNS times; the median and the worst are shown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const work = mkdtempSync(join(tmpdir(), 'bench-'));

function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { seconds: number; peakMb?: number } {
  const rssFile = join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env, PEAK_RSS_FILE: rssFile }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  const peakMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 / 1024 : undefined;
  return { seconds, peakMb };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const projectDirs = (parent: string) =>
  readdirSync(join(ROOT, parent))
    .filter((name) => existsSync(join(ROOT, parent, name, 'project.json')))
    .sort()
    .map((name) => ({ name: JSON.parse(readFileSync(join(ROOT, parent, name, 'project.json'), 'utf8')).name as string, dir: join(ROOT, parent, name) }));

const apps = projectDirs('apps');
const projects = [...projectDirs('packages'), ...apps];

const synthRows = apps.map(({ name, dir }) => {
  const runs = Array.from({ length: RUNS }, (_, index) =>
    timed(process.execPath, ['--import', join(ROOT, 'scripts/lib/report-peak-rss.mjs'), '--import', 'tsx', 'main.ts'], dir, {
      CLUSTER_FACTORY_OUTDIR: join(work, `${name}-${index}`),
    }),
  );
  const stacks = readdirSync(join(work, `${name}-0`, 'stacks')).length;
  return `| ${name} | ${stacks} | ${median(runs.map((r) => r.seconds)).toFixed(2)} s | ${Math.max(...runs.map((r) => r.seconds)).toFixed(2)} s | ${Math.max(...runs.map((r) => r.peakMb ?? 0)).toFixed(0)} MB |`;
});

const typecheckRows = projects.map(({ name, dir }) => {
  const { seconds } = timed(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json'), '--tsBuildInfoFile', join(work, `${name}.tsbuildinfo`)], ROOT);
  return `| ${name} | ${seconds.toFixed(1)} s |`;
});

const testRows = projects.map(({ name, dir }) => {
  const { seconds } = timed(join(ROOT, 'node_modules/.bin/vitest'), ['run', '--reporter=dot'], dir);
  return `| ${name} | ${seconds.toFixed(1)} s |`;
});

const page = `# Performance

Measured by \`npm run bench\` (scripts/benchmark.ts) on ${new Date().toISOString().slice(0, 10)}:
${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
Targets on this 2-core machine: sandbox synth under 1 s wall and under 300 MB peak memory.

## Cold synth per app

A fresh \`node --import tsx main.ts\` process per run (what \`nx run <app>:synth --skip-nx-cache\`
runs), ${RUNS} runs each. Peak memory is the process's maximum resident set size.

| app | stacks | median wall | worst wall | peak memory |
|---|---|---|---|---|
${synthRows.join('\n')}

## Type-check per project (cold, no build info)

| project | time |
|---|---|
${typecheckRows.join('\n')}

## Tests per project

Wall time of \`vitest run\`; the terraform-harness figure includes real \`terraform\` runs
when \`TF_PLUGIN_MIRROR\` is set (it was ${process.env.TF_PLUGIN_MIRROR ? 'set' : 'not set'} for this run).

| project | time |
|---|---|
${testRows.join('\n')}

## Where synth time goes

Profiled with \`node --cpu-prof\` on sandbox: loading cdktf itself takes ~170 ms and zod ~60 ms;
most of the rest is module loading, not synthesis. tsx transforms TypeScript in Node's
off-thread ESM loader, and the main thread waits on it once per module (~90 modules: the
project's own and one per provider resource class). The next step, if synth must get faster,
is to bundle each app's entry point (esbuild is already installed with tsx) and run plain
\`node\`; it needs CommonJS output, because the provider packages use directory imports that
native ESM rejects, and asset paths that do not rely on \`import.meta.url\`.

## Why it is fast

- Provider classes are imported from their submodules (\`@cdktf/provider-aws/lib/eks-cluster\`),
  never the package root, which loads every binding (~3 s, ~840 MB to type-check). A lint
  rule enforces it.
- Apps run under tsx; type-checking is its own cached Nx target instead of part of synth.
- Synth does not go through the cdktf CLI, whose start-up alone costs seconds
  (\`cdktf synth\` still works).
`;
writeFileSync(join(ROOT, 'docs/performance.md'), page);
process.stdout.write(page);
