import { runApp } from '@cilium-eks/cluster-factory';
import { prodApp } from './src/prod.js';

runApp(prodApp);
