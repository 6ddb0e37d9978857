import { resolve } from 'node:path';
import { defineSingleRegion, type EnvironmentConfig, type RunAppOptions } from '@cilium-eks/cluster-factory';

/** What main.ts runs: environments/sandbox.yaml in, apps/sandbox/cdktf.out out (the state bucket and every stack of one region). */
export const sandboxApp: RunAppOptions<EnvironmentConfig> = {
  configPath: resolve(import.meta.dirname, '../../../environments/sandbox.yaml'),
  outdir: resolve(import.meta.dirname, '../cdktf.out'),
  define: defineSingleRegion,
};
