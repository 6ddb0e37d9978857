/**
 * Running an app for tests and tooling (docs generation, synth diffs): in a process of its own
 * (its bundle, as the synth target runs it, or main.ts under tsx, as the cdktf CLI runs it), or
 * in this one. Free of vitest, so scripts can use it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CONFIG_OVERRIDE_VARIABLE } from '../src/config/load.js';
import { OUTDIR_OVERRIDE_VARIABLE, runAppInProcess, type AppRunResult, type RunAppOptions } from '../src/app/run-app.js';
import { TODAY_OVERRIDE_VARIABLE } from '../src/lifecycle/eks-calendar.js';
import { bundleApp } from '../bundler/bundle-app.js';

export interface AppProcessOptions {
  /** Where the app writes its cdktf.out. */
  readonly outdir: string;
  /** Another config file for the app (CLUSTER_FACTORY_CONFIG); its own file otherwise. */
  readonly config?: string;
  /**
   * More variables for a spawned process (runAppProcess, runAppProcessAsync), such as cdktf's
   * own: cdktf reads them from process.env, so an in-process run refuses them.
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * A bundle of the app (`sharedAppBundle`) to run with plain node, as the synth target runs
   * `dist/main.cjs`; without it, main.ts runs under tsx, as the cdktf CLI runs it.
   */
  readonly bundle?: string;
}

export interface AppProcessResult {
  readonly status: number | null;
  readonly stderr: string;
}

function processEnv(options: AppProcessOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, [OUTDIR_OVERRIDE_VARIABLE]: options.outdir };
  delete env.CDKTF_OUTDIR;
  if (options.config) env[CONFIG_OVERRIDE_VARIABLE] = options.config;
  else delete env[CONFIG_OVERRIDE_VARIABLE];
  return env;
}

/** The node arguments that start an app's entry point: its bundle, or main.ts under tsx. */
export function appEntryArguments(options: Pick<AppProcessOptions, 'bundle'>): string[] {
  return options.bundle ? [options.bundle] : ['--import', 'tsx', 'main.ts'];
}

/**
 * Runs an app's real entry point in its directory, into the given output directory: the
 * bundle when `options.bundle` names one (the synth target), else main.ts under tsx (`cdktf synth`).
 */
export function runAppProcess(appDir: string, options: AppProcessOptions): AppProcessResult {
  const result = spawnSync(process.execPath, appEntryArguments(options), { cwd: appDir, env: processEnv(options), encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** The same, without blocking (to run several apps or configs side by side). */
export function runAppProcessAsync(appDir: string, options: AppProcessOptions): Promise<AppProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, appEntryArguments(options), { cwd: appDir, env: processEnv(options) });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/**
 * What `runAppProcess(appDir, options)` does, in this process: the app's main.ts passes `app`
 * to runApp, which does exactly this work and then exits with the status. Messages name a
 * config file relative to the working directory, so the run happens in `appDir` (as the
 * synth target's does) and the working directory is restored afterwards. Needs a process
 * that may change its directory (vitest's default `forks` pool, not `threads`).
 */
export function runAppInThisProcess<C>(appDir: string, app: RunAppOptions<C>, options: AppProcessOptions): AppRunResult {
  if (options.env) throw new Error('runAppInThisProcess: extra variables need a process of their own (runAppProcess)');
  // The day is this process's (tests pin it), as a spawned entry point would inherit it.
  const today = process.env[TODAY_OVERRIDE_VARIABLE];
  const env: NodeJS.ProcessEnv = {
    [OUTDIR_OVERRIDE_VARIABLE]: options.outdir,
    ...(options.config ? { [CONFIG_OVERRIDE_VARIABLE]: options.config } : {}),
    ...(today ? { [TODAY_OVERRIDE_VARIABLE]: today } : {}),
  };
  const cwd = process.cwd();
  process.chdir(appDir);
  try {
    return runAppInProcess(app, env);
  } finally {
    process.chdir(cwd);
  }
}

const sharedOutputs = new Map<string, string>();

/**
 * The app's default output (its own config), synthesized in this process the first time it is
 * asked for and shared by every later caller in the process: a test that changes files in it
 * works on a copy. Throws when the app refuses its own config.
 */
export function sharedSynthOutput<C>(appDir: string, app: RunAppOptions<C>): string {
  let outdir = sharedOutputs.get(appDir);
  if (!outdir) {
    outdir = join(mkdtempSync(join(tmpdir(), `shared-${basename(appDir)}-`)), 'cdktf.out');
    const result = runAppInThisProcess(appDir, app, { outdir });
    if (result.status !== 0) throw new Error(`${basename(appDir)} failed to synthesize:\n${result.stderr}`);
    sharedOutputs.set(appDir, outdir);
  }
  return outdir;
}

/** The app's default output written through both of its entry points, side by side. */
export interface BothEntryPoints {
  /** main.ts under tsx, as `cdktf synth` runs it: into `<root>/cdktf.out`. */
  readonly tsx: AppProcessResult & { readonly outdir: string };
  /** The app's bundle, as its synth target runs it: into `<root>/bundled`. */
  readonly bundle: AppProcessResult & { readonly outdir: string };
}

/** Runs main.ts under tsx and the app's bundle (`sharedAppBundle`) at once, each into a directory of its own below `root`. */
export async function runBothEntryPoints(appDir: string, root: string): Promise<BothEntryPoints> {
  const [tsxOutdir, bundleOutdir] = [join(root, 'cdktf.out'), join(root, 'bundled')];
  const [tsx, bundle] = await Promise.all([
    runAppProcessAsync(appDir, { outdir: tsxOutdir }),
    sharedAppBundle(appDir).then((file) => runAppProcessAsync(appDir, { outdir: bundleOutdir, bundle: file })),
  ]);
  return { tsx: { ...tsx, outdir: tsxOutdir }, bundle: { ...bundle, outdir: bundleOutdir } };
}

const sharedBundles = new Map<string, Promise<string>>();

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The app bundled exactly as its `bundle` target bundles it, the first time it is asked for in
 * this process, and shared by every later caller. It is written inside the workspace, where the
 * bundle finds the packages it leaves external, never into the app's dist/ (the Nx target's
 * output): node_modules/.app-bundles/<app>-<pid> is as deep below the workspace as
 * apps/<app>/dist, so the bundle is byte for byte the one the target writes. Test workers may
 * end without an exit event, so the directories of processes that are gone are removed here.
 */
export function sharedAppBundle(appDir: string): Promise<string> {
  let bundle = sharedBundles.get(appDir);
  if (!bundle) {
    const parent = join(appDir, '../../node_modules/.app-bundles');
    mkdirSync(parent, { recursive: true });
    for (const entry of readdirSync(parent)) {
      const pid = Number(/-(\d+)$/.exec(entry)?.[1]);
      if (pid && !isAlive(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
    }
    const dir = join(parent, `${basename(appDir)}-${process.pid}`);
    bundle = bundleApp(appDir, join(dir, 'main.cjs')).then((result) => result.outfile);
    sharedBundles.set(appDir, bundle);
  }
  return bundle;
}
