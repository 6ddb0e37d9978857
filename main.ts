/**
 * `npx cdktf synth` at the repository root: every environment's stacks in one cdktf app
 * (stack names are unique across apps), after checking what no single app can see: two
 * environments of one account that would create the same bucket, IAM role or state key.
 * Per-environment work happens in apps/<env>.
 */
import { App } from 'cdktf';
import { acknowledgeCdktfDeprecations, applyPolicies, ConfigError, defineWorkspace, printAnnotations, SharedAccountResourceError, writePolicyReport } from '@cilium-eks/cluster-factory';
import { WORKSPACE_APPS } from './workspace-apps.js';

acknowledgeCdktfDeprecations();
const app = new App();
try {
  defineWorkspace(app, WORKSPACE_APPS);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof SharedAccountResourceError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
const policies = applyPolicies(app);
app.synth();
printAnnotations(app);
writePolicyReport(app.outdir, policies.report());
