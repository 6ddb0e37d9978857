import { z } from 'zod';
import { ciliumEnabledBy } from '../../networking/decision.js';
import { CILIUM_POLICIES_NEED_CILIUM } from '../../networking/platform-rules.js';
import { defineFeature } from '../feature.js';
import { networkPolicyBaselineAddon } from './network-policy-baseline.js';

/** The fields of a config the feature reads. */
interface NetworkPolicyBaselineConfig {
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly platform: { readonly network_policy_baseline: boolean };
}

/** Example Cilium policies (L7 HTTP ingress, FQDN egress), only where Cilium is the CNI. */
export const feature = defineFeature({
  name: 'network-policy-baseline',
  config: { platform: { network_policy_baseline: z.boolean().default(false).describe('Install the example L7 HTTP and FQDN egress Cilium policies.') } },
  rules: [
    {
      checks: 'platform.network_policy_baseline needs Cilium',
      check: (env: NetworkPolicyBaselineConfig, refuse) => {
        if (env.platform.network_policy_baseline && !ciliumEnabledBy(env)) {
          refuse(['platform', 'network_policy_baseline'], `needs Cilium (enable_cilium: true, enable_fargate: false): ${CILIUM_POLICIES_NEED_CILIUM}`);
        }
      },
    },
  ],
  enabledIn: (config: NetworkPolicyBaselineConfig) => config.platform.network_policy_baseline,
  plan: (config: NetworkPolicyBaselineConfig) => (config.platform.network_policy_baseline ? true : undefined),
  stack: 'platform',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  addon: () => networkPolicyBaselineAddon(),
});
