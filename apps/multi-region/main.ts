import { runApp } from '@cilium-eks/cluster-factory';
import { multiRegionApp } from './src/multi-region.js';

runApp(multiRegionApp);
