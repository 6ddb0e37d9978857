import { resolve } from 'node:path';
import { defineSingleRegion, type EnvironmentConfig, type RunAppOptions } from '@cilium-eks/cluster-factory';

/** What main.ts runs: environments/prod.yaml in, apps/prod/cdktf.out out (the state bucket and every stack of its region). */
export const prodApp: RunAppOptions<EnvironmentConfig> = {
  configPath: resolve(import.meta.dirname, '../../../environments/prod.yaml'),
  outdir: resolve(import.meta.dirname, '../cdktf.out'),
  define: defineSingleRegion,
};
