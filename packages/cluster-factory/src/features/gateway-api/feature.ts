import { ciliumEnabledBy } from '../../networking/decision.js';
import { manifestUrlApply } from '../../lib/private/kubernetes-providers.js';
import { defineFeature } from '../feature.js';
import { GATEWAY_API_COMPATIBILITY } from './compatibility.js';
import { GATEWAY_API_VERSION, gatewayApiCrdsUrl } from './versions.js';

/** The fields of a config the feature reads: Cilium's `gateway_api` switch (Cilium is the Gateway API controller). */
interface GatewayApiConfig {
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly enable_kube_proxy_replacement: boolean;
  readonly cilium: { readonly gateway_api: boolean; readonly l7_proxy: boolean };
}

/** What the CNI stack applies: the pinned CRDs release manifest. */
export interface GatewayApiPlan {
  readonly version: string;
  readonly crdsUrl: string;
}

const enabled = (config: Pick<GatewayApiConfig, 'enable_cilium' | 'enable_fargate' | 'cilium'>): boolean => ciliumEnabledBy(config) && config.cilium.gateway_api;

/**
 * The Gateway API CRDs for Cilium's Gateway controller (`cilium.gateway_api`): applied in the
 * CNI stack before Cilium starts, pinned to the release Cilium implements.
 */
export const feature = defineFeature({
  name: 'gateway-api',
  rules: [
    // The first rules of the environment, as before the Gateway API became a module.
    {
      checks: 'cilium.gateway_api needs enable_kube_proxy_replacement',
      before: 'cilium.hubble_ui needs cilium.hubble_relay',
      check: (env: GatewayApiConfig, refuse) => {
        if (env.cilium.gateway_api && !env.enable_kube_proxy_replacement) {
          refuse(['cilium', 'gateway_api'], 'needs enable_kube_proxy_replacement: true (Cilium Gateway API requires the kube-proxy replacement)');
        }
      },
    },
    {
      checks: 'cilium.gateway_api needs cilium.l7_proxy',
      before: 'cilium.hubble_ui needs cilium.hubble_relay',
      check: (env: GatewayApiConfig, refuse) => {
        if (env.cilium.gateway_api && !env.cilium.l7_proxy) refuse(['cilium', 'gateway_api'], 'needs cilium.l7_proxy: true (Gateway API is served by the Envoy L7 proxy)');
      },
    },
  ],
  enabledIn: enabled,
  components: (config: GatewayApiConfig) => (enabled(config) ? [GATEWAY_API_COMPATIBILITY] : []),
  // Right after Cilium's, as when the CRDs were part of the core platform.
  componentsAfter: 'core',
  plan: (config: GatewayApiConfig): GatewayApiPlan | undefined => (enabled(config) ? { version: GATEWAY_API_VERSION, crdsUrl: gatewayApiCrdsUrl(GATEWAY_API_VERSION) } : undefined),
  stack: 'cni',
  // Its resource kept its address when it became a module.
  constructScope: 'stack',
  // The CRDs must exist before Cilium starts its Gateway controller.
  cni: (plan, { scope, cluster }) => [manifestUrlApply(scope, 'gateway-api-crds', { cluster, url: plan.crdsUrl, version: plan.version })],
});
