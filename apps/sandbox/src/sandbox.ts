import { resolve } from 'node:path';
import type { App } from 'cdktf';
import { EnvironmentPlatform, defineStateBootstrap, type EnvironmentConfig, type RunAppOptions } from '@cilium-eks/cluster-factory';

/** The sandbox environment: its state bucket and every stack of one region, from its config. */
export function defineSandbox(app: App, config: EnvironmentConfig): EnvironmentPlatform {
  defineStateBootstrap(app, config);
  return new EnvironmentPlatform(app, config);
}

/** What main.ts runs: environments/sandbox.yaml in, apps/sandbox/cdktf.out out. */
export const sandboxApp: RunAppOptions<EnvironmentConfig> = {
  configPath: resolve(import.meta.dirname, '../../../environments/sandbox.yaml'),
  outdir: resolve(import.meta.dirname, '../cdktf.out'),
  define: defineSandbox,
};
