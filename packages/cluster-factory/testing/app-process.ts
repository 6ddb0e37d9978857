/**
 * Running an app the way its synth target does, for tests and tooling (docs generation, synth
 * diffs): in a process of its own, or in this one. Free of vitest, so scripts can use it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CONFIG_OVERRIDE_VARIABLE } from '../src/config/load.js';
import { OUTDIR_OVERRIDE_VARIABLE, runAppInProcess, type AppRunResult, type RunAppOptions } from '../src/app/run-app.js';
import { TODAY_OVERRIDE_VARIABLE } from '../src/lifecycle/eks-calendar.js';

export interface AppProcessOptions {
  /** Where the app writes its cdktf.out. */
  readonly outdir: string;
  /** Another config file for the app (CLUSTER_FACTORY_CONFIG); its own file otherwise. */
  readonly config?: string;
}

export interface AppProcessResult {
  readonly status: number | null;
  readonly stderr: string;
}

function processEnv(options: AppProcessOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [OUTDIR_OVERRIDE_VARIABLE]: options.outdir };
  delete env.CDKTF_OUTDIR;
  if (options.config) env[CONFIG_OVERRIDE_VARIABLE] = options.config;
  else delete env[CONFIG_OVERRIDE_VARIABLE];
  return env;
}

/**
 * Runs an app's real entry point (`node --import tsx main.ts` in its directory), exactly as
 * its synth target does, into the given output directory.
 */
export function runAppProcess(appDir: string, options: AppProcessOptions): AppProcessResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: appDir, env: processEnv(options), encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** The same, without blocking (to run several apps or configs side by side). */
export function runAppProcessAsync(appDir: string, options: AppProcessOptions): Promise<AppProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: appDir, env: processEnv(options) });
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
