import type { App } from 'cdktf';
import { defineMultiRegion, loadConfig, multiRegionSchema, type MultiRegionConfig, type MultiRegionPlatform } from '@cilium-eks/cluster-factory';

/** Reads environments/multi-region.yaml (its own schema: shared settings plus regions). */
export function loadMultiRegionConfig(path: string): MultiRegionConfig {
  return loadConfig(path, multiRegionSchema);
}

/** One cluster per region, joined by Cilium Cluster Mesh. */
export function defineMultiRegionApp(app: App, config: MultiRegionConfig): MultiRegionPlatform {
  return defineMultiRegion(app, config);
}
