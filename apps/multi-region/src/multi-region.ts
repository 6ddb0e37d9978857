import { resolve } from 'node:path';
import type { App } from 'cdktf';
import { defineMultiRegion, loadConfig, multiRegionSchema, type MultiRegionConfig, type MultiRegionPlatform, type RunAppOptions } from '@cilium-eks/cluster-factory';

/** Reads environments/multi-region.yaml (its own schema: shared settings plus regions). */
export function loadMultiRegionConfig(path: string): MultiRegionConfig {
  return loadConfig(path, multiRegionSchema);
}

/** One cluster per region, joined by Cilium Cluster Mesh. */
export function defineMultiRegionApp(app: App, config: MultiRegionConfig): MultiRegionPlatform {
  return defineMultiRegion(app, config);
}

/** What main.ts runs: environments/multi-region.yaml in, apps/multi-region/cdktf.out out. */
export const multiRegionApp: RunAppOptions<MultiRegionConfig> = {
  configPath: resolve(import.meta.dirname, '../../../environments/multi-region.yaml'),
  outdir: resolve(import.meta.dirname, '../cdktf.out'),
  load: loadMultiRegionConfig,
  define: defineMultiRegionApp,
};
