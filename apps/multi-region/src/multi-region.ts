import { resolve } from 'node:path';
import { defineMultiRegionEnvironment, loadMultiRegionConfig, type MultiRegionConfig, type RunAppOptions } from '@cilium-eks/cluster-factory';

/** What main.ts runs: environments/multi-region.yaml (its own schema) in, one cluster per region joined by Cilium Cluster Mesh out. */
export const multiRegionApp: RunAppOptions<MultiRegionConfig> = {
  configPath: resolve(import.meta.dirname, '../../../environments/multi-region.yaml'),
  outdir: resolve(import.meta.dirname, '../cdktf.out'),
  load: loadMultiRegionConfig,
  define: defineMultiRegionEnvironment,
};
