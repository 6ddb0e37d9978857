import type { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { CiliumClusterwideNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumClusterwideNetworkPolicy';
import type { ClusterInfo, PlatformAddon } from '../../addons/addon.js';
import { ManifestChart } from '../../kubernetes/manifest-chart.js';
import type { KubernetesObject } from '../../kubernetes/validate.js';
import { CILIUM_POLICIES_NEED_CILIUM } from '../../networking/platform-rules.js';

/** Where the L7 example lives, and the label that opts a pod into restricted egress. */
export const POLICY_EXAMPLES_NAMESPACE = 'policy-examples';
export const RESTRICTED_EGRESS_LABEL = { key: 'policy.platform/egress-profile', value: 'restricted-internet' } as const;

/** Where the EKS Pod Identity Agent serves credentials to pods (EKS User Guide, "EKS Pod Identity considerations"). */
export const POD_IDENTITY_AGENT = { ipv4: '169.254.170.23', ipv6: 'fd00:ec2::23', port: '80' } as const;

/** The Cilium egress rule type of the models. */
type EgressRule = NonNullable<InstanceType<typeof CiliumClusterwideNetworkPolicy>['spec']>['egress'] extends (infer R)[] | undefined ? R : never;

/** One destination the restricted-internet profile allows, with why (docs/POLICIES.md is generated from these). */
export interface EgressAllowance {
  readonly to: string;
  readonly ports: string;
  readonly why: string;
  readonly rule: EgressRule;
}

/**
 * What pods labelled RESTRICTED_EGRESS_LABEL may reach, and nothing else:
 * - cluster DNS, inspected by Cilium's DNS proxy (what makes FQDN rules work);
 * - the EKS Pod Identity Agent, the platform's identity model: the AWS SDK in the pod gets
 *   its role's credentials from it (AWS_CONTAINER_CREDENTIALS_FULL_URI). Its address lives on
 *   the node, so Cilium sees it as the `host` entity (cilium/cilium#34387), and as `world`
 *   with BPF host routing in some releases (cilium/cilium#35989): both, on TCP 80 only. IMDS
 *   (169.254.169.254) stays closed: pods never use the node's credentials;
 * - HTTPS to the listed names: GitHub's API and S3, both its global names and the regional
 *   ones the AWS SDKs call (`<bucket>.s3.<region>.amazonaws.com`; `*` is one DNS label).
 */
export function restrictedEgressAllowances(region: string): EgressAllowance[] {
  const https = [{ ports: [{ port: '443', protocol: 'TCP' as const }] }];
  const agentPort = [{ ports: [{ port: POD_IDENTITY_AGENT.port, protocol: 'TCP' as const }] }];
  return [
    {
      to: 'cluster DNS (kube-system/kube-dns)',
      ports: '53 (UDP and TCP)',
      why: 'name resolution, through Cilium\'s DNS proxy, which is what lets the FQDN rules below match',
      rule: {
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
    },
    {
      to: `the EKS Pod Identity Agent (${POD_IDENTITY_AGENT.ipv4}, ${POD_IDENTITY_AGENT.ipv6}) on the pod's node`,
      ports: `${POD_IDENTITY_AGENT.port} (TCP)`,
      why: 'AWS credentials: every AWS SDK in the pod asks the agent for its Pod Identity role (the platform\'s identity model); without it no AWS call is signed. Cilium sees the address as the host (and as world with BPF host routing in some releases), so both are allowed, on this port only',
      rule: { toCIDR: [`${POD_IDENTITY_AGENT.ipv4}/32`, `${POD_IDENTITY_AGENT.ipv6}/128`], toPorts: agentPort },
    },
    {
      to: 'the node itself (Cilium entity host)',
      ports: `${POD_IDENTITY_AGENT.port} (TCP)`,
      why: 'the same agent as Cilium classifies it (cilium/cilium#34387); no other host service listens on this port on the platform\'s nodes',
      rule: { toEntities: ['host'], toPorts: agentPort },
    },
    {
      to: `api.github.com, *.s3.amazonaws.com, s3.${region}.amazonaws.com, *.s3.${region}.amazonaws.com`,
      ports: '443 (TCP)',
      why: 'the example\'s own destinations: GitHub\'s API and S3 (global and regional endpoints; the AWS SDKs use the regional ones)',
      rule: {
        toFQDNs: [{ matchName: 'api.github.com' }, { matchPattern: '*.s3.amazonaws.com' }, { matchName: `s3.${region}.amazonaws.com` }, { matchPattern: `*.s3.${region}.amazonaws.com` }],
        toPorts: https,
      },
    },
  ];
}

/**
 * The baseline's objects, typed by their upstream models (validated at synth):
 * - an L7 HTTP rule: only the frontend may call the API, only these methods and paths
 *   (other requests get HTTP 403 from Cilium's Envoy proxy; other sources are dropped);
 * - the restricted-internet egress profile for pods that opt in with RESTRICTED_EGRESS_LABEL
 *   (restrictedEgressAllowances).
 */
export function networkPolicyBaselineObjects(region: string): KubernetesObject[] {
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
        egress: restrictedEgressAllowances(region).map((allowance) => allowance.rule),
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
        objects: networkPolicyBaselineObjects(cluster.region),
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
