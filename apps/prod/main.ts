import { join, resolve } from 'node:path';
import { runApp } from '@cilium-eks/cluster-factory';
import { defineProd } from './src/prod.js';

const appDir = import.meta.dirname;
runApp({
  configPath: resolve(appDir, '../../environments/prod.yaml'),
  outdir: join(appDir, 'cdktf.out'),
  define: defineProd,
});
