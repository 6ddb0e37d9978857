import { resolve } from 'node:path';
import type { App } from 'cdktf';
import { EnvironmentPlatform, defineStateBootstrap, type EnvironmentConfig, type RunAppOptions } from '@cilium-eks/cluster-factory';

/** The prod environment: its state bucket and every stack of its region, from its config. */
export function defineProd(app: App, config: EnvironmentConfig): EnvironmentPlatform {
  defineStateBootstrap(app, config);
  return new EnvironmentPlatform(app, config);
}

/** What main.ts runs: environments/prod.yaml in, apps/prod/cdktf.out out. */
export const prodApp: RunAppOptions<EnvironmentConfig> = {
  configPath: resolve(import.meta.dirname, '../../../environments/prod.yaml'),
  outdir: resolve(import.meta.dirname, '../cdktf.out'),
  define: defineProd,
};
