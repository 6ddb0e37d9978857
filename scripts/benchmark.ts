/**
 * Benchmark (not a timed test): cold synth wall time and peak memory per app, type-check time
 * per project, test time per project, and the whole `nx run-many -t test` (and `-t e2e`)
 * without the Nx cache. Every section by default, written to docs/performance.md:
 *
 *   npm run bench
 *   npm run bench -- --only suite --test-runs 5     # some sections, printed; the page is kept
 *   npm run bench -- --help
 *
 * Medians with their extremes, CPU time beside wall time, and the CPU time other processes
 * used during the runs: on a shared machine that figure says whether a wall time holds.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, medianOf, otherLoadNow, spread, timed, type Timing } from './lib/measure.js';

const SECTIONS = ['synth', 'typecheck', 'tests', 'suite'] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npm run bench -- [options]
  --only <sections>   comma-separated, of ${SECTIONS.join(', ')} (default: all, and the page is written)
  --runs <n>          synth runs per app (default 5)
  --test-runs <n>     counted runs of nx run-many -t test (default 3)
  --e2e-runs <n>      counted runs of nx run-many -t e2e (default 1; 0 skips it)
  --warmup <n>        uncounted runs of nx run-many -t test first (default 1)
  --quiet-wait <s>    wait up to s seconds for other processes to go quiet first (default 0)
  --write / --no-write  write docs/performance.md (default: only when every section runs)`;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string', default: '5' },
      'test-runs': { type: 'string', default: '3' },
      'e2e-runs': { type: 'string', default: '1' },
      warmup: { type: 'string', default: '1' },
      'quiet-wait': { type: 'string', default: '0' },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const count = (name: keyof typeof values, minimum: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < minimum) fail(`--${name} must be a whole number of at least ${minimum}, got ${String(values[name])}`);
    return value;
  };
  const only = values.only?.split(',').map((section) => section.trim()) ?? [...SECTIONS];
  const unknown = only.filter((section) => !(SECTIONS as readonly string[]).includes(section));
  if (unknown.length > 0) fail(`--only: unknown section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  const sections = new Set(only as Section[]);
  return {
    sections,
    runs: count('runs', 1),
    testRuns: count('test-runs', 1),
    e2eRuns: count('e2e-runs', 0),
    warmup: count('warmup', 0),
    quietWait: count('quiet-wait', 0),
    write: values['no-write'] ? false : (values.write ?? sections.size === SECTIONS.length),
  };
}

function fail(message: string): never {
  process.stderr.write(`benchmark: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const ROOT = join(import.meta.dirname, '..');
const CORES = cpus().length;
const opts = options();
const work = mkdtempSync(join(tmpdir(), 'bench-'));
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

const projectDirs = (parent: string) =>
  readdirSync(join(ROOT, parent))
    .filter((name) => existsSync(join(ROOT, parent, name, 'project.json')))
    .sort()
    .map((name) => ({ name: JSON.parse(readFileSync(join(ROOT, parent, name, 'project.json'), 'utf8')).name as string, dir: join(ROOT, parent, name) }));
const apps = projectDirs('apps');
const projects = [...projectDirs('packages'), ...apps, { name: 'scripts', dir: join(ROOT, 'scripts') }];
const hasTarget = (dir: string, target: string) => target in (JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as { targets: object }).targets;
const seconds = (value: number | undefined, digits = 0) => (value === undefined ? 'n/a' : `${value.toFixed(digits)} s`);

/** Every timed run, for the page's account of how busy the machine was. */
const allRuns: Timing[] = [];
function measure(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const timing = timed(command, args, cwd, env);
  allRuns.push(timing);
  return timing;
}

/** Waits (up to --quiet-wait seconds) until other processes use under a quarter of a core. */
function waitForQuiet(): number | undefined {
  const deadline = Date.now() + opts.quietWait * 1000;
  for (;;) {
    const load = otherLoadNow(3);
    if (load === undefined || load < 0.25 || Date.now() >= deadline) return load;
    log(`other processes use ${load.toFixed(2)} cores; waiting for a quiet machine`);
  }
}

const quietBefore = waitForQuiet();
if (quietBefore !== undefined && quietBefore >= 0.25) log(`measuring although other processes use ${quietBefore.toFixed(2)} of ${CORES} cores`);

// Targets (issue 2 and issue 13): checked against the medians measured here.
const TARGETS = { sandboxSynthSeconds: 1, sandboxPeakMb: 300, testSuiteSeconds: 60 };
const targetRows: string[] = [];
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

function synthSection(): string {
  const rows = apps.map(({ name, dir }) => {
    log(`synth ${name} x${opts.runs}`);
    const runs = Array.from({ length: opts.runs }, (_, index) => {
      const rssFile = join(work, `rss-${name}-${index}`);
      const timing = measure(process.execPath, ['--import', join(ROOT, 'scripts/lib/report-peak-rss.mjs'), '--import', 'tsx', 'main.ts'], dir, {
        CLUSTER_FACTORY_OUTDIR: join(work, `${name}-${index}`),
        PEAK_RSS_FILE: rssFile,
      });
      return { ...timing, peakMb: Number(readFileSync(rssFile, 'utf8')) / 1024 / 1024 };
    });
    const stacks = readdirSync(join(work, `${name}-0`, 'stacks')).length;
    const wall = median(runs.map((run) => run.seconds));
    const peak = Math.max(...runs.map((run) => run.peakMb));
    if (name === 'sandbox') {
      targetRows.push(`| sandbox synth wall, median | under ${TARGETS.sandboxSynthSeconds} s | ${wall.toFixed(2)} s | ${met(wall < TARGETS.sandboxSynthSeconds)} |`);
      targetRows.push(`| sandbox synth peak memory, worst run | under ${TARGETS.sandboxPeakMb} MB | ${peak.toFixed(0)} MB | ${met(peak < TARGETS.sandboxPeakMb)} |`);
    }
    return `| ${name} | ${stacks} | ${spread(runs.map((run) => run.seconds), 2)} | ${medianOf(runs.map((run) => run.cpuSeconds), 2)} | ${peak.toFixed(0)} MB |`;
  });
  return `## Cold synth per app

A fresh \`node --import tsx main.ts\` process per run (what \`nx run <app>:synth --skip-nx-cache\`
runs), ${opts.runs} runs each. Peak memory is the process's maximum resident set size, worst run.

| app | stacks | wall, median (min to max) | CPU, median | peak memory |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

function typecheckSection(): string {
  const rows = projects.map(({ name, dir }) => {
    log(`typecheck ${name}`);
    const timing = measure(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json'), '--tsBuildInfoFile', join(work, `${name}.tsbuildinfo`)], ROOT);
    return `| ${name} | ${seconds(timing.seconds, 1)} | ${seconds(timing.cpuSeconds, 1)} |`;
  });
  return `## Type-check per project (cold, no build info)

| project | wall | CPU |
|---|---|---|
${rows.join('\n')}
`;
}

const vitest = join(ROOT, 'node_modules/.bin/vitest');
function testsSection(): string {
  const rows = projects.map(({ name, dir }) => {
    log(`tests of ${name}`);
    const test = measure(vitest, ['run', '--reporter=dot'], dir);
    const e2e = hasTarget(dir, 'e2e') ? measure(vitest, ['run', '--mode', 'e2e', '--reporter=dot'], dir) : undefined;
    return `| ${name} | ${seconds(test.seconds, 1)} | ${seconds(test.cpuSeconds)} | ${e2e ? seconds(e2e.seconds, 1) : '-'} | ${e2e ? seconds(e2e.cpuSeconds) : '-'} |`;
  });
  return `## Tests per project

One run each: \`vitest run\`, then \`vitest run --mode e2e\` where the project has an \`e2e\` target.

| project | test wall | test CPU | e2e wall | e2e CPU |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** The whole suite as `npm test` runs it, one Nx target at a time, never from the Nx cache. */
const NX_ENV = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
function runMany(target: string, runs: number, warmup: number): string | undefined {
  if (runs === 0) return undefined;
  const args = ['run-many', '-t', target, '--skip-nx-cache', '--output-style=static'];
  for (let index = 0; index < warmup; index++) {
    log(`nx ${args.join(' ')} (warm-up ${index + 1}/${warmup})`);
    timed(join(ROOT, 'node_modules/.bin/nx'), args, ROOT, NX_ENV);
  }
  const timings = Array.from({ length: runs }, (_, index) => {
    log(`nx ${args.join(' ')} (${index + 1}/${runs})`);
    return measure(join(ROOT, 'node_modules/.bin/nx'), args, ROOT, NX_ENV);
  });
  const wall = median(timings.map((timing) => timing.seconds));
  if (target === 'test') targetRows.push(`| \`npx nx run-many -t test --skip-nx-cache\`, median | under ${TARGETS.testSuiteSeconds} s | ${wall.toFixed(0)} s | ${met(wall < TARGETS.testSuiteSeconds)} |`);
  return `| \`npx nx run-many -t ${target} --skip-nx-cache\` | ${runs}${warmup ? ` after ${warmup} warm-up` : ''} | ${spread(timings.map((timing) => timing.seconds))} | ${medianOf(timings.map((timing) => timing.cpuSeconds))} | ${medianOf(timings.map((timing) => timing.otherCpuSeconds))} |`;
}

function suiteSection(): string {
  const rows = [runMany('test', opts.testRuns, opts.warmup), runMany('e2e', opts.e2eRuns, 0)].filter((row) => row !== undefined);
  return `## Test suite

\`npm test\` runs two Nx targets: \`test\` (unit and integration tests: synthesized JSON, exact
error messages, a few runs of each app's real entry point) and \`e2e\` (files named
\`*.e2e.test.ts\`, \`vitest run --mode e2e\`: tests that start real tools, where the start-ups are
the cost: the cdktf CLI, the Nx CLI, terraform, and the app's entry point as concurrent and
interrupted processes). Real \`terraform\` plans run only when \`TF_PLUGIN_MIRROR\` is set (or in
CI); it was ${process.env.TF_PLUGIN_MIRROR ? 'set' : 'not set'} for this run. CPU is user plus system time of every process a run
started; "others" is the CPU time the rest of the machine used meanwhile.

| command | runs | wall, median (min to max) | CPU, median | others' CPU, median |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

const builders: Record<Section, () => string> = { synth: synthSection, typecheck: typecheckSection, tests: testsSection, suite: suiteSection };
const sections = SECTIONS.filter((section) => opts.sections.has(section)).map((section) => builders[section]());

const measuredSeconds = allRuns.reduce((sum, run) => sum + run.seconds, 0);
const otherCpu = allRuns.reduce((sum, run) => sum + (run.otherCpuSeconds ?? 0), 0);
const otherShare = measuredSeconds > 0 ? otherCpu / (measuredSeconds * CORES) : 0;
const machine = `Measured by \`npm run bench\` (scripts/benchmark.ts) on ${new Date().toISOString().slice(0, 10)}:
${CORES} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
During the ${allRuns.length} measured runs (${(measuredSeconds / 60).toFixed(0)} min) other processes used ${otherCpu.toFixed(0)} CPU s,
${(otherShare * 100).toFixed(0)}% of the machine${otherShare > 0.1 ? ': **the machine was shared**, so wall times are high; CPU times are closer to the cost' : ' (a quiet machine)'}.`;

const targets = `## Targets

| target | bound | measured | |
|---|---|---|---|
${targetRows.join('\n')}
`;

if (!opts.write) {
  process.stdout.write([machine, targetRows.length ? targets : '', ...sections].filter(Boolean).join('\n\n'));
  process.exit(0);
}

const page = `# Performance

${machine}

${targets}
${sections.join('\n')}
## Where synth time goes

Profiled with \`node --cpu-prof\` on sandbox (2026-11-23, after the change below): about 1.6 s
of the 2 s is loading modules (cdktf's ~370 CommonJS files, which Node's ESM loader also scans
for named exports; the provider submodules; the project's own TypeScript through tsx's
off-thread loader), 0.3 s is synthesis. Tests pay the loading once per process: they synthesize
in process and share the output (\`scripts/lib/apps.ts\`, \`runAppInThisProcess\`), and start the
entry point as a process only where the process is what they test.

Until 2026-11-23, 2 s more of every synth (and ~250 MB) was ajv compiling the upstream schemas
it checks objects against (the 340 KB Argo CD ApplicationSet CRD, the Cilium values schema) to
code. They are now interpreted (@cfworker/json-schema): a few milliseconds for the handful of
objects a synth checks.

The next step, if synth must get faster, is to bundle each app's entry point (esbuild is already
installed with tsx) and run plain \`node\`; it needs CommonJS output, because the provider
packages use directory imports that native ESM rejects, and asset paths that do not rely on
\`import.meta.url\`. Tried on 2026-11-23 (not adopted: apps run under tsx, with no build step
before synth): sandbox bundled to one CommonJS file in 0.8 s, with \`import.meta.url\` rewritten per
source file and re2-wasm left external, synthesized byte-identical stacks in 0.66 s median
(5 runs) and ~130 MB.

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
