/**
 * `npx cdktf synth` at the repository root: every environment's stacks in one cdktf app
 * (stack names are unique across apps). Per-environment work happens in apps/<env>.
 */
import { resolve } from 'node:path';
import { App } from 'cdktf';
import { applyPolicies, loadEnvironmentConfig, printAnnotations } from '@cilium-eks/cluster-factory';
import { defineSandbox } from './apps/sandbox/src/sandbox.js';
import { defineProd } from './apps/prod/src/prod.js';
import { defineMultiRegionApp, loadMultiRegionConfig } from './apps/multi-region/src/multi-region.js';

const environments = resolve(import.meta.dirname, 'environments');
const app = new App();
defineSandbox(app, loadEnvironmentConfig(resolve(environments, 'sandbox.yaml')));
defineProd(app, loadEnvironmentConfig(resolve(environments, 'prod.yaml')));
defineMultiRegionApp(app, loadMultiRegionConfig(resolve(environments, 'multi-region.yaml')));
applyPolicies(app);
app.synth();
printAnnotations(app);
