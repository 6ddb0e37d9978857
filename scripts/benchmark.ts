/**
 * Benchmark (not a timed test): cold synth wall time and peak memory per app, type-check
 * time per project, test time per project and the whole `nx run-many -t test` (and `-t e2e`)
 * without the Nx cache, written to docs/performance.md.
 *
 * "Cold" means a fresh process and no Nx cache: exactly what `nx run <app>:synth
 * --skip-nx-cache` pays. Each synth runs RUNS times, the whole test run TEST_RUNS times; the
 * median and the extremes are shown, with CPU seconds beside wall time: the machine may be
 * shared, and CPU time says what the work costs whatever else runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TEST_RUNS = Number(process.env.BENCH_TEST_RUNS ?? 3);
const E2E_RUNS = Number(process.env.BENCH_E2E_RUNS ?? 1);
const work = mkdtempSync(join(tmpdir(), 'bench-'));

/** User plus system CPU seconds of this process's finished children (Linux: /proc/self/stat cutime, cstime). */
function childrenCpuSeconds(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // Fields 16 and 17 of proc(5), in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Timing {
  seconds: number;
  cpuSeconds?: number;
  peakMb?: number;
}

function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Timing {
  const rssFile = join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const cpuBefore = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env, PEAK_RSS_FILE: rssFile }, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const peakMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 / 1024 : undefined;
  return { seconds, cpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore, peakMb };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const projectDirs = (parent: string) =>
  readdirSync(join(ROOT, parent))
    .filter((name) => existsSync(join(ROOT, parent, name, 'project.json')))
    .sort()
    .map((name) => ({ name: JSON.parse(readFileSync(join(ROOT, parent, name, 'project.json'), 'utf8')).name as string, dir: join(ROOT, parent, name) }));

const apps = projectDirs('apps');
const projects = [...projectDirs('packages'), ...apps, { name: 'scripts', dir: join(ROOT, 'scripts') }];
const hasTarget = (dir: string, target: string) => target in (JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as { targets: object }).targets;
const cpu = (timing: Timing) => (timing.cpuSeconds === undefined ? 'n/a' : `${timing.cpuSeconds.toFixed(0)} s`);
const spread = (values: number[], digits = 0) => `${median(values).toFixed(digits)} s (${Math.min(...values).toFixed(digits)} to ${Math.max(...values).toFixed(digits)} s)`;
const loadBefore = loadavg()[0]!;

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

const vitest = join(ROOT, 'node_modules/.bin/vitest');
const testRows = projects.map(({ name, dir }) => {
  const test = timed(vitest, ['run', '--reporter=dot'], dir);
  const e2e = hasTarget(dir, 'e2e') ? timed(vitest, ['run', '--mode', 'e2e', '--reporter=dot'], dir) : undefined;
  return `| ${name} | ${test.seconds.toFixed(1)} s | ${cpu(test)} | ${e2e ? `${e2e.seconds.toFixed(1)} s` : '-'} | ${e2e ? cpu(e2e) : '-'} |`;
});

/** The whole suite as `npm test` runs it (one Nx target at a time here), never from the Nx cache. */
const NX_ENV = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
const runMany = (target: string, runs: number) => {
  const timings = Array.from({ length: runs }, () => timed(join(ROOT, 'node_modules/.bin/nx'), ['run-many', '-t', target, '--skip-nx-cache', '--output-style=static'], ROOT, NX_ENV));
  const cpuValues = timings.flatMap((timing) => (timing.cpuSeconds === undefined ? [] : [timing.cpuSeconds]));
  return `| \`npx nx run-many -t ${target} --skip-nx-cache\` | ${runs} | ${spread(timings.map((timing) => timing.seconds))} | ${cpuValues.length ? `${median(cpuValues).toFixed(0)} s` : 'n/a'} |`;
};
const suiteRows = [runMany('test', TEST_RUNS), runMany('e2e', E2E_RUNS)];
const loadAfter = loadavg()[0]!;
const busyNote = Math.max(loadBefore, loadAfter) > cpus().length ? ` (busy: other work shared these ${cpus().length} cores, so wall times are high; CPU seconds are closer to the cost)` : '';

const page = `# Performance

Measured by \`npm run bench\` (scripts/benchmark.ts) on ${new Date().toISOString().slice(0, 10)}:
${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
Targets on this 2-core machine: sandbox synth under 1 s wall and under 300 MB peak memory;
\`npx nx run-many -t test --skip-nx-cache\` under 60 s wall.

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

## Tests

\`npm test\` runs two Nx targets: \`test\` (unit and integration tests: synthesized JSON, exact
error messages, a few runs of each app's real entry point) and \`e2e\` (files named
\`*.e2e.test.ts\`, \`vitest run --mode e2e\`: tests that start real tools, where the start-ups are
the cost: the cdktf CLI, the Nx CLI, terraform, and the app's entry point as concurrent and
interrupted processes). Real \`terraform\` plans run only when \`TF_PLUGIN_MIRROR\` is set (or in
CI); it was ${process.env.TF_PLUGIN_MIRROR ? 'set' : 'not set'} for this run. CPU is user plus system time of all processes.
Load average of the machine (1 min): ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after the runs${busyNote}.

| command | runs | wall, median (min to max) | CPU, median |
|---|---|---|---|
${suiteRows.join('\n')}

Per project, one run each (\`vitest run\`, then \`vitest run --mode e2e\` where the project has an \`e2e\` target):

| project | test wall | test CPU | e2e wall | e2e CPU |
|---|---|---|---|---|
${testRows.join('\n')}

## Where synth time goes

Profiled with \`node --cpu-prof\` on sandbox (2026-11-23): about 2 s of each synth is ajv
compiling the Argo CD ApplicationSet CRD schema (\`kubernetes/crd-schema.ts\`, once per
process; the Cilium values schema adds ~0.5 s). Tests pay it once per process: they synthesize
in process and share the output (\`scripts/lib/apps.ts\`, \`runAppInThisProcess\`), and start the
entry point as a process only where the process is what they test.

Earlier profile: loading cdktf itself takes ~170 ms and zod ~60 ms;
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
