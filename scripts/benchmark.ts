/**
 * Benchmark (not a timed test): cold synth wall time and peak memory per app, the ratios of
 * issue 23 (all apps' synth through Nx against one, type-checking every project against the
 * cdktf CLI's synth), type-check time per project, test time per project, and the whole
 * `nx run-many -t test` and `-t e2e` without the Nx cache. Every section by default, written to
 * docs/performance.md:
 *
 *   npm run bench
 *   npm run bench -- --only suite --test-runs 5     # some sections, printed; the page is kept
 *   npm run bench -- --help
 *
 * Medians with their extremes, CPU time beside wall time, and the CPU time other processes
 * used during the runs: on a shared machine that figure says whether a wall time holds.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleApp, BUNDLE_FILE } from '@cilium-eks/cluster-factory/bundler';
import { median, medianOf, otherLoadNow, spread, timed, type Timing } from './lib/measure.js';

const SECTIONS = ['synth', 'ratios', 'typecheck', 'tests', 'suite'] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npm run bench -- [options]
  --only <sections>   comma-separated, of ${SECTIONS.join(', ')} (default: all, and the page is written)
  --runs <n>          synth runs per app (default 5)
  --ratio-runs <n>    runs of each command the ratios compare (default 3)
  --test-runs <n>     counted runs of nx run-many -t test (default 3)
  --e2e-runs <n>      counted runs of nx run-many -t e2e (default 3; 0 skips it)
  --warmup <n>        uncounted runs of nx run-many -t test first (default 1)
  --quiet-wait <s>    wait up to s seconds for other processes to go quiet first (default 0)
  --write / --no-write  write docs/performance.md (default: only when every section runs)`;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string', default: '5' },
      'ratio-runs': { type: 'string', default: '3' },
      'test-runs': { type: 'string', default: '3' },
      'e2e-runs': { type: 'string', default: '3' },
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
    ratioRuns: count('ratio-runs', 1),
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
const countOfRuns = (count: number) => `${count} run${count === 1 ? '' : 's'}`;
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

// Targets (issues 2, 13 and 23): checked against the medians measured here.
const TARGETS = { synthSeconds: 1, synthPeakMb: 200, runManyRatio: 2, typecheckRatio: 3, testSuiteSeconds: 60, e2eSeconds: 150 };
const targetRows: string[] = [];
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

/** One cold synth of an app in a fresh process, with its peak memory. */
function coldSynth(name: string, dir: string, entry: string[], index: number) {
  const rssFile = join(work, `rss-${name}-${index}`);
  const outdir = join(work, `${name}-${index}`);
  rmSync(outdir, { recursive: true, force: true });
  const timing = measure(process.execPath, ['--import', join(ROOT, 'scripts/lib/report-peak-rss.mjs'), ...entry], dir, { CLUSTER_FACTORY_OUTDIR: outdir, PEAK_RSS_FILE: rssFile });
  return { ...timing, peakMb: Number(readFileSync(rssFile, 'utf8')) / 1024 / 1024, outdir };
}

async function synthSection(): Promise<string> {
  const rows: string[] = [];
  for (const { name, dir } of apps) {
    log(`bundle ${name}`);
    const started = process.hrtime.bigint();
    await bundleApp(dir);
    const bundleSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    log(`synth ${name} x${opts.runs} (bundle), x${opts.ratioRuns} (tsx)`);
    const runs = Array.from({ length: opts.runs }, (_, index) => coldSynth(name, dir, [BUNDLE_FILE], index));
    const tsx = Array.from({ length: opts.ratioRuns }, (_, index) => coldSynth(name, dir, ['--import', 'tsx', 'main.ts'], opts.runs + index));
    const stacks = readdirSync(join(runs[0]!.outdir, 'stacks')).length;
    const wall = median(runs.map((run) => run.seconds));
    const peak = Math.max(...runs.map((run) => run.peakMb));
    targetRows.push(`| ${name} synth wall (\`node dist/main.cjs\`), median | under ${TARGETS.synthSeconds} s | ${wall.toFixed(2)} s | ${met(wall < TARGETS.synthSeconds)} |`);
    targetRows.push(`| ${name} synth peak memory, worst run | under ${TARGETS.synthPeakMb} MB | ${peak.toFixed(0)} MB | ${met(peak < TARGETS.synthPeakMb)} |`);
    rows.push(
      `| ${name} | ${stacks} | ${spread(runs.map((run) => run.seconds), 2)} | ${medianOf(runs.map((run) => run.cpuSeconds), 2)} | ${peak.toFixed(0)} MB | ${spread(tsx.map((run) => run.seconds), 2)} | ${Math.max(...tsx.map((run) => run.peakMb)).toFixed(0)} MB | ${bundleSeconds.toFixed(2)} s |`,
    );
  }
  return `## Cold synth per app

A fresh process per run, ${countOfRuns(opts.runs)} each: \`node dist/main.cjs\` in the app's directory, what
\`nx run <app>:synth\` runs once its cached \`bundle\` target has made the bundle. Beside it, ${countOfRuns(opts.ratioRuns)}
of \`node --import tsx main.ts\`, what \`cdktf synth\` runs (\`cdktf.json\`), and the time to bundle
the app once (esbuild, in this process). Peak memory is the process's maximum resident set
size, worst run. Each app's tests check that both paths write byte-identical output.

| app | stacks | bundle: wall, median (min to max) | CPU, median | peak memory | tsx: wall, median (min to max) | peak memory | bundling |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** Interleaved runs of several commands (so drift in the machine's load hits each alike); their timings by label. */
function interleaved(commands: ReadonlyArray<{ label: string; run: () => Timing; before?: () => void }>): Map<string, Timing[]> {
  const timings = new Map(commands.map((command) => [command.label, [] as Timing[]]));
  for (let index = 0; index < opts.ratioRuns; index++) {
    for (const command of commands) {
      log(`${command.label} (${index + 1}/${opts.ratioRuns})`);
      command.before?.();
      timings.get(command.label)!.push(command.run());
    }
  }
  return timings;
}

/** The whole suite as `npm test` runs it, one Nx target at a time, never from the Nx cache. */
const NX_ENV = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
const NX = join(ROOT, 'node_modules/.bin/nx');
/** Variables that would change what a synth does or where it writes: never set for these runs. */
const SYNTH_OVERRIDES = { CLUSTER_FACTORY_CONFIG: undefined, CLUSTER_FACTORY_OUTDIR: undefined, CDKTF_OUTDIR: undefined };

function ratiosSection(): string {
  const sandbox = apps.find((app) => app.name === 'sandbox')!;
  const nx = (...args: string[]) => () => measure(NX, [...args, '--skip-nx-cache', '--output-style=static'], ROOT, { ...NX_ENV, ...SYNTH_OVERRIDES });
  const timings = interleaved([
    { label: 'single', run: nx('run', 'sandbox:synth') },
    { label: 'all', run: nx('run-many', '-t', 'synth') },
    { label: 'cdktf', run: () => measure(join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', join(work, 'cdktf-cli.out')], sandbox.dir, { ...SYNTH_OVERRIDES, CHECKPOINT_DISABLE: '1' }) },
    // Cold: no build info from an earlier run (tsc would otherwise skip what did not change).
    { label: 'typecheck', before: () => rmSync(join(ROOT, 'node_modules/.cache/tsc'), { recursive: true, force: true }), run: nx('run-many', '-t', 'typecheck') },
  ]);
  const wall = (label: string) => median(timings.get(label)!.map((timing) => timing.seconds));
  const row = (label: string, command: string) => {
    const runs = timings.get(label)!;
    return `| ${command} | ${spread(runs.map((run) => run.seconds), 1)} | ${medianOf(runs.map((run) => run.cpuSeconds), 1)} | ${medianOf(runs.map((run) => run.otherCpuSeconds), 1)} |`;
  };
  const runMany = wall('all') / wall('single');
  const typecheck = wall('typecheck') / wall('cdktf');
  targetRows.push(`| \`npx nx run-many -t synth --skip-nx-cache\` (${apps.length} apps) / \`npx nx run sandbox:synth --skip-nx-cache\`, medians | under ${TARGETS.runManyRatio}x | ${runMany.toFixed(2)}x | ${met(runMany < TARGETS.runManyRatio)} |`);
  targetRows.push(`| \`npx nx run-many -t typecheck --skip-nx-cache\` (cold) / \`cdktf synth\` of sandbox, medians | under ${TARGETS.typecheckRatio}x | ${typecheck.toFixed(2)}x | ${met(typecheck < TARGETS.typecheckRatio)} |`);
  return `## Ratios

${countOfRuns(opts.ratioRuns)} of each command, interleaved. Both synth commands run the \`bundle\` target too
(\`--skip-nx-cache\` skips the cache for every task), so each includes bundling; the single synth
is the same command for one app, start-up of Nx included. The cdktf CLI's synth is \`cdktf synth\`
in \`apps/sandbox\` (it runs \`main.ts\` under tsx). Type-checking is cold: the build info of every
project is removed before each run.

| command | wall, median (min to max) | CPU, median | others' CPU, median |
|---|---|---|---|
${row('single', '`npx nx run sandbox:synth --skip-nx-cache`')}
${row('all', `\`npx nx run-many -t synth --skip-nx-cache\` (${apps.length} apps)`)}
${row('cdktf', '`cdktf synth` in apps/sandbox')}
${row('typecheck', `\`npx nx run-many -t typecheck --skip-nx-cache\` (${projects.length} projects, cold)`)}

All apps through Nx take ${runMany.toFixed(2)}x one; type-checking every project takes ${typecheck.toFixed(2)}x the cdktf CLI's synth of sandbox.
`;
}

function typecheckSection(): string {
  // What each project's typecheck target does itself: its dependencies' declarations are built
  // first (as Nx's ^typecheck does), then only its own build info and declarations are removed.
  // The compiler the typecheck executor runs: TypeScript 7's native tsc.
  const tsc = join(ROOT, 'node_modules/typescript-native/bin/tsc');
  const cache = join(ROOT, 'node_modules/.cache/tsc');
  rmSync(cache, { recursive: true, force: true });
  for (const { name, dir } of projects) {
    log(`typecheck ${name} (building what depends on it)`);
    timed(process.execPath, [tsc, '-b', join(dir, 'tsconfig.json')], ROOT);
  }
  const rows = projects.map(({ name, dir }) => {
    log(`typecheck ${name}`);
    rmSync(join(cache, name), { recursive: true, force: true });
    const timing = measure(process.execPath, [tsc, '-b', join(dir, 'tsconfig.json')], ROOT);
    return `| ${name} | ${seconds(timing.seconds, 1)} | ${seconds(timing.cpuSeconds, 1)} |`;
  });
  return `## Type-check per project (TypeScript 7's \`tsc -b\`, cold for the project, the declarations of its dependencies built)

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

function runMany(target: string, runs: number, warmup: number): string | undefined {
  if (runs === 0) return undefined;
  const args = ['run-many', '-t', target, '--skip-nx-cache', '--output-style=static'];
  for (let index = 0; index < warmup; index++) {
    log(`nx ${args.join(' ')} (warm-up ${index + 1}/${warmup})`);
    timed(NX, args, ROOT, NX_ENV);
  }
  const timings = Array.from({ length: runs }, (_, index) => {
    log(`nx ${args.join(' ')} (${index + 1}/${runs})`);
    return measure(NX, args, ROOT, NX_ENV);
  });
  const wall = median(timings.map((timing) => timing.seconds));
  if (target === 'test') targetRows.push(`| \`npx nx run-many -t test --skip-nx-cache\`, median | under ${TARGETS.testSuiteSeconds} s | ${wall.toFixed(0)} s | ${met(wall < TARGETS.testSuiteSeconds)} |`);
  if (target === 'e2e') targetRows.push(`| \`npx nx run-many -t e2e --skip-nx-cache\`, median | under ${TARGETS.e2eSeconds} s | ${wall.toFixed(0)} s | ${met(wall < TARGETS.e2eSeconds)} |`);
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

Where e2e time goes (one run of \`nx run-many -t e2e\` on Node.js 24 with every terraform command
logged, 2026-12-06; 123 s, about 226 CPU s on 2 cores, so the machine is the limit, not
waiting): 335 terraform commands used 51 CPU s. The plans, shows and validates of the offline
harness attach to one aws provider process per run
(\`packages/terraform-harness/src/shared-provider.ts\`) through a relay that answers the schema
call from the plugin's first answer (\`schema-cache-proxy.ts\`) and gives each command only the
schemas of the types its configuration and state use (\`schema-subset.ts\`): a show of the
sandbox cluster stack's plan took 0.9 s, as terraform decoded all 1,500 aws schemas, and takes
0.05 s with its 15 types; the whole run's terraform CPU went from 117 to 51 s. Unattached, a
plan also starts the 700 MB plugin two or three times and hashes it against the lock file
(2.7 CPU s in all). 58 \`terraform init\` (26 CPU s, 0.4 to 1 s each, hashing the plugin) are
now the largest part of terraform's share: mostly the deploy flow's own, which the tests run as
a deploy does; the harness runs one per distinct set of providers. About 22 cdktf CLI starts
(1.5 to 1.8 CPU s each, with the compile cache), Nx runs with isolated caches, the vitest
workers and synths on three Node.js lines use the rest. The scripts project's e2e files, three
at a time, are the longest part (its row in "Tests per project" above).
`;
}

const builders: Record<Section, () => string | Promise<string>> = { synth: synthSection, ratios: ratiosSection, typecheck: typecheckSection, tests: testsSection, suite: suiteSection };
const sections: string[] = [];
for (const section of SECTIONS.filter((name) => opts.sections.has(name))) sections.push(await builders[section]());

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

Under tsx (what \`cdktf synth\` runs), profiled with \`node --cpu-prof\` on sandbox (2026-11-23):
about 1.6 s of 2 s was loading modules (cdktf's ~370 CommonJS files, which Node's ESM loader
also scans for named exports; the provider submodules; the project's own TypeScript through
tsx's off-thread loader), 0.3 s synthesis.

Since 2026-12-05 the synth target runs a bundle instead: the \`bundle\` target of each app
(\`packages/cluster-factory/bundler\`) writes \`main.ts\` and the ~950 files it loads as one
CommonJS file (CommonJS because the provider packages use directory imports that native ESM
rejects; \`import.meta\` of each file rewritten to that file's own path; re2-wasm left external).
Profiled on multi-region (2026-12-05, 0.8 s): 0.07 s to compile the 5.6 MB file, 0.1 s to
evaluate its modules, 0.17 s in the four \`terraform version\` processes cdktf starts to check
that Terraform supports the \`terraform_data\` resources of four stacks, 0.1 s capturing the stack traces
cdktf records for tokens, the rest constructing and synthesizing 17 stacks.

Profiled again on 2026-12-06 (1.2 s): the app had ten \`terraform_data\` resources by then, and
cdktf's DataResource starts a \`terraform version\` process for each at synth (0.38 s), to check
for Terraform >= 1.4, which every stack's \`required_version\` (>= 1.10) already demands. They
are the project's own \`TerraformData\` since (src/lib/private/terraform-data.ts: the same JSON,
no process); a \`terraform version\` still runs for a stack with \`moved\` blocks. Capturing
stack traces for tokens took 0.26 s.

The bundle target's inputs are every source file, the lockfile and the bundler; an e2e test
compares them with the files esbuild read, so a stale bundle cannot be served. \`cdktf synth\`
keeps running \`main.ts\` under tsx, with nothing to go stale.

Until 2026-11-23, 2 s more of every synth (and ~250 MB) was ajv compiling the upstream schemas
it checks objects against (the 340 KB Argo CD ApplicationSet CRD, the Cilium values schema) to
code. They are now interpreted (@cfworker/json-schema): a few milliseconds for the handful of
objects a synth checks.

## Why it is fast

- Synth runs one bundled file with plain \`node\`: no TypeScript transform, no module resolution.
- Provider classes are imported from their submodules (\`@cdktf/provider-aws/lib/eks-cluster\`),
  never the package root, which loads every binding (~3 s, ~840 MB to type-check). A lint
  rule enforces it.
- Type-checking is its own cached Nx target instead of part of synth.
- Synth does not go through the cdktf CLI, whose start-up alone costs seconds
  (\`cdktf synth\` still works).
- Tests pay module loading once per process: they synthesize in process and share the output
  (\`scripts/lib/apps.ts\`), and start an entry point as a process only where the process is
  what they test (then the bundle, built once per test process).
`;
writeFileSync(join(ROOT, 'docs/performance.md'), page);
process.stdout.write(page);
