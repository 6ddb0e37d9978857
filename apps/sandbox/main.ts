import { runApp } from '@cilium-eks/cluster-factory';
import { sandboxApp } from './src/sandbox.js';

runApp(sandboxApp);
