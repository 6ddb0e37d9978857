/**
 * `npx cdktf synth` at the repository root: every environment's stacks in one cdktf app
 * (stack names are unique across apps). Per-environment work happens in apps/<env>.
 */
import { resolve } from 'node:path';
import { App } from 'cdktf';
import { acknowledgeCdktfDeprecations, applyPolicies, defineMultiRegionEnvironment, defineSingleRegion, loadEnvironmentConfig, loadMultiRegionConfig, printAnnotations, writePolicyReport } from '@cilium-eks/cluster-factory';

const environments = resolve(import.meta.dirname, 'environments');
acknowledgeCdktfDeprecations();
const app = new App();
defineSingleRegion(app, loadEnvironmentConfig(resolve(environments, 'sandbox.yaml')));
defineSingleRegion(app, loadEnvironmentConfig(resolve(environments, 'prod.yaml')));
defineMultiRegionEnvironment(app, loadMultiRegionConfig(resolve(environments, 'multi-region.yaml')));
const policies = applyPolicies(app);
app.synth();
printAnnotations(app);
writePolicyReport(app.outdir, policies.report());
