import { join } from 'node:path';
import type { AppRunResult, RunAppOptions } from '@cilium-eks/cluster-factory';
import { runAppInThisProcess, sharedSynthOutput, type AppProcessOptions } from '@cilium-eks/cluster-factory/testing/app-process';
import { multiRegionApp } from '../../apps/multi-region/src/multi-region.js';
import { prodApp } from '../../apps/prod/src/prod.js';
import { sandboxApp } from '../../apps/sandbox/src/sandbox.js';

const ROOT = join(import.meta.dirname, '../..');

export interface AppEntry {
  /** apps/<name>, where its main.ts runs. */
  readonly dir: string;
  /** What its main.ts runs, in this process (the output and messages of `runAppProcess`). */
  readonly synth: (options: AppProcessOptions) => AppRunResult;
  /** Its default output, synthesized once per process and shared: read it, never change it. */
  readonly shared: () => string;
}

function entry<C>(name: string, app: RunAppOptions<C>): AppEntry {
  const dir = join(ROOT, 'apps', name);
  return { dir, synth: (options) => runAppInThisProcess(dir, app, options), shared: () => sharedSynthOutput(dir, app) };
}

/** Every app of the repository by name (a test checks that none is missing). */
export const APPS: Readonly<Record<string, AppEntry>> = {
  'multi-region': entry('multi-region', multiRegionApp),
  prod: entry('prod', prodApp),
  sandbox: entry('sandbox', sandboxApp),
};

/** Every app's default output, synthesized once per process and shared (read-only): app name -> cdktf.out. */
export function sharedOutputs(): Map<string, string> {
  return new Map(
    Object.keys(APPS)
      .sort()
      .map((app) => [app, APPS[app]!.shared()]),
  );
}
