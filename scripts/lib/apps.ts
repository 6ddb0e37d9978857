import { join } from 'node:path';
import type { AppRunResult, RunAppOptions } from '@cilium-eks/cluster-factory';
import { runAppInThisProcess, sharedSynthOutput, type AppProcessOptions } from '@cilium-eks/cluster-factory/testing/app-process';
import { WORKSPACE_APPS } from '../../workspace-apps.js';

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

/** Every app of the repository by name, from the root registry workspace-apps.ts (a test checks that none is missing). */
export const APPS: Readonly<Record<string, AppEntry>> = Object.fromEntries(WORKSPACE_APPS.map((app) => [app.name, entry(app.name, app.options)]));

/** Every app's default output, synthesized once per process and shared (read-only): app name -> cdktf.out. */
export function sharedOutputs(): Map<string, string> {
  return new Map(
    Object.keys(APPS)
      .sort()
      .map((app) => [app, APPS[app]!.shared()]),
  );
}
