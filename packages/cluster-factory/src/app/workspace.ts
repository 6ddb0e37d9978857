import type { App } from 'cdktf';
import { loadAppConfig, type RunAppOptions } from './run-app.js';
import { refuseSharedAccountResources } from './shared-account-resources.js';

/** One app of the workspace with its config type erased: what root main.ts and the tooling iterate. */
export interface WorkspaceApp {
  /** apps/<name>, its Nx project and its environment. */
  readonly name: string;
  readonly options: RunAppOptions<unknown>;
  /** Loads the app's own config file (validated, its name checked) and defines its stacks in `scope`. */
  readonly define: (scope: App) => void;
}

export function workspaceApp<C>(name: string, options: RunAppOptions<C>): WorkspaceApp {
  return { name, options: options as unknown as RunAppOptions<unknown>, define: (scope) => options.define(scope, loadAppConfig(options, {})) };
}

/**
 * Every app of the workspace in one cdktf App (root `npx cdktf synth`; stack names are unique
 * across apps). What no single app can see is checked here, before anything is written: two
 * environments of one account that would both create a state bucket, an IAM role, the Spot
 * service-linked role, or write one state key (SharedAccountResourceError names both stacks).
 */
export function defineWorkspace(scope: App, apps: readonly WorkspaceApp[]): void {
  for (const app of apps) app.define(scope);
  refuseSharedAccountResources(scope);
}
