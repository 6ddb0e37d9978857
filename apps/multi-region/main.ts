import { join, resolve } from 'node:path';
import { defineMultiRegionEnvironment, loadMultiRegionConfig, runApp } from '@cilium-eks/cluster-factory';

const appDir = import.meta.dirname;
runApp({
  configPath: resolve(appDir, '../../environments/multi-region.yaml'),
  outdir: join(appDir, 'cdktf.out'),
  load: loadMultiRegionConfig,
  define: defineMultiRegionEnvironment,
});
