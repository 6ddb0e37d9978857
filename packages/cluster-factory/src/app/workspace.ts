import type { App } from 'cdktf';
import { loadAppConfig, synthContext, type RunAppOptions } from './run-app.js';
import { TODAY_OVERRIDE_VARIABLE } from '../lifecycle/eks-calendar.js';
import { refuseSharedAccountResources } from './shared-account-resources.js';

/** One app of the workspace with its config type erased: what root main.ts and the tooling iterate. */
export interface WorkspaceApp {
  /** apps/<name>, its Nx project and its environment. */
  readonly name: string;
  readonly options: RunAppOptions<unknown>;
  /**
   * Loads the app's own config file (validated, its name checked; CLUSTER_FACTORY_CONFIG is
   * ignored: it names one app's variant) and defines its stacks in `scope`, judged on the day
   * CLUSTER_FACTORY_TODAY of `env` names, else today.
   */
  readonly define: (scope: App, env?: NodeJS.ProcessEnv) => void;
}

export function workspaceApp<C>(name: string, options: RunAppOptions<C>): WorkspaceApp {
  return {
    name,
    options: options as unknown as RunAppOptions<unknown>,
    define: (scope, env = process.env) => {
      const dayOnly = { [TODAY_OVERRIDE_VARIABLE]: env[TODAY_OVERRIDE_VARIABLE] };
      options.define(scope, loadAppConfig(options, dayOnly), synthContext(dayOnly));
    },
  };
}

/**
 * Every app of the workspace in one cdktf App (root `npx cdktf synth`; stack names are unique
 * across apps). What no single app can see is checked here, before anything is written: two
 * environments of one account that would both create a state bucket, an IAM role, the Spot
 * service-linked role, or write one state key (SharedAccountResourceError names both stacks).
 */
export function defineWorkspace(scope: App, apps: readonly WorkspaceApp[], env: NodeJS.ProcessEnv = process.env): void {
  for (const app of apps) app.define(scope, env);
  refuseSharedAccountResources(scope);
}
