import { join, resolve } from 'node:path';
import { runApp } from '@cilium-eks/cluster-factory';
import { defineMultiRegionApp, loadMultiRegionConfig } from './src/multi-region.js';

const appDir = import.meta.dirname;
runApp({
  configPath: resolve(appDir, '../../environments/multi-region.yaml'),
  outdir: join(appDir, 'cdktf.out'),
  load: loadMultiRegionConfig,
  define: defineMultiRegionApp,
});
