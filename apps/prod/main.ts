import { join, resolve } from 'node:path';
import { defineSingleRegion, runApp } from '@cilium-eks/cluster-factory';

const appDir = import.meta.dirname;
runApp({
  configPath: resolve(appDir, '../../environments/prod.yaml'),
  outdir: join(appDir, 'cdktf.out'),
  define: defineSingleRegion,
});
