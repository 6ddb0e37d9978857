import { spawn, spawnSync } from 'node:child_process';
import { CONFIG_OVERRIDE_VARIABLE } from '../config/load.js';
import { OUTDIR_OVERRIDE_VARIABLE } from './run-app.js';

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
