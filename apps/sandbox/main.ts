import { join, resolve } from 'node:path';
import { runApp } from '@cilium-eks/cluster-factory';
import { defineSandbox } from './src/sandbox.js';

const appDir = import.meta.dirname;
runApp({
  configPath: resolve(appDir, '../../environments/sandbox.yaml'),
  outdir: join(appDir, 'cdktf.out'),
  define: defineSandbox,
});
