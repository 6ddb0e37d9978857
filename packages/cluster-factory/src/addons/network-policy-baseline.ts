import type { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { CiliumClusterwideNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumClusterwideNetworkPolicy';
import type { ClusterInfo, PlatformAddon } from './addon.js';
import { ManifestChart } from '../kubernetes/manifest-chart.js';
import type { KubernetesObject } from '../kubernetes/validate.js';
import { CILIUM_POLICIES_NEED_CILIUM } from '../networking/platform-rules.js';

/** Where the L7 example lives, and the label that opts a pod into restricted egress. */
export const POLICY_EXAMPLES_NAMESPACE = 'policy-examples';
export const RESTRICTED_EGRESS_LABEL = { key: 'policy.platform/egress-profile', value: 'restricted-internet' } as const;

/** Names the restricted-egress example allows, on HTTPS only. */
export const RESTRICTED_EGRESS_FQDNS = [{ matchName: 'api.github.com' }, { matchPattern: '*.s3.amazonaws.com' }] as const;

/**
 * The baseline's objects, typed by their upstream models (validated at synth):
 * - an L7 HTTP rule: only the frontend may call the API, only these methods and paths
 *   (other requests get HTTP 403 from Cilium's Envoy proxy; other sources are dropped);
 * - an FQDN egress rule for pods that opt in with RESTRICTED_EGRESS_LABEL: cluster DNS
 *   (inspected by the DNS proxy, which is what makes FQDN rules work) and the listed names.
 */
export function networkPolicyBaselineObjects(): KubernetesObject[] {
  return [
    new Namespace({ metadata: { name: POLICY_EXAMPLES_NAMESPACE } }),
    new CiliumNetworkPolicy({
      metadata: { name: 'api-allow-frontend-http', namespace: POLICY_EXAMPLES_NAMESPACE },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            fromEndpoints: [{ matchLabels: { app: 'frontend' } }],
            toPorts: [
              {
                ports: [{ port: '8080', protocol: 'TCP' }],
                rules: {
                  http: [
                    { method: 'GET', path: '/healthz' },
                    { method: 'GET', path: '/api/v1/.*' },
                    { method: 'POST', path: '/api/v1/orders' },
                  ],
                },
              },
            ],
          },
        ],
      },
    }),
    new CiliumClusterwideNetworkPolicy({
      metadata: { name: 'restricted-internet-egress' },
      spec: {
        endpointSelector: { matchLabels: { [RESTRICTED_EGRESS_LABEL.key]: RESTRICTED_EGRESS_LABEL.value } },
        egress: [
          {
            toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          {
            toFQDNs: RESTRICTED_EGRESS_FQDNS.map((fqdn) => ({ ...fqdn })),
            toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
          },
        ],
      },
    }),
  ];
}

/**
 * Worked examples of Cilium policies, shipped as plain YAML (ManifestChart): Helm applies the
 * CRs at apply time, while `kubernetes_manifest` would need the Cilium CRDs on a live API
 * server at plan time.
 */
export function networkPolicyBaselineAddon(): PlatformAddon {
  return {
    name: 'network-policy-baseline',
    dependsOn: [],
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      if (!cluster.networking.ciliumEnabled) {
        throw new Error(`network-policy-baseline add-on: needs Cilium as the CNI (${CILIUM_POLICIES_NEED_CILIUM})`);
      }
      const chart = new ManifestChart(scope, 'network-policy-baseline-chart', {
        name: 'network-policy-baseline',
        description: 'Example Cilium policies: L7 HTTP ingress and FQDN egress',
        objects: networkPolicyBaselineObjects(),
      });
      return [
        new Release(scope, 'network-policy-baseline', {
          name: 'network-policy-baseline',
          namespace: 'kube-system',
          chart: chart.path,
          wait: true,
          atomic: true,
        }),
      ];
    },
  };
}
