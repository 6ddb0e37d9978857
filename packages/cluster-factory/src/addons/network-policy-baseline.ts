import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { AssetType, TerraformAsset } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ClusterInfo, PlatformAddon } from './addon.js';

/** The in-repo chart with the example policies (charts/network-policy-baseline). */
export const NETWORK_POLICY_BASELINE_CHART = fileURLToPath(new URL('../../charts/network-policy-baseline', import.meta.url));

/**
 * Worked examples of an L7 HTTP rule (CiliumNetworkPolicy) and an FQDN egress rule
 * (CiliumClusterwideNetworkPolicy). Delivered as a Helm chart copied into the synthesized
 * stack: Helm applies the CRs at apply time, while `kubernetes_manifest` would need the
 * Cilium CRDs on a live API server at plan time.
 */
export function networkPolicyBaselineAddon(): PlatformAddon {
  return {
    name: 'network-policy-baseline',
    dependsOn: [],
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      if (!cluster.networking.ciliumEnabled) {
        throw new Error('platform.network_policy_baseline needs Cilium: CiliumNetworkPolicy has no effect with the AWS VPC CNI');
      }
      const chart = new TerraformAsset(scope, 'network-policy-baseline-chart', { path: NETWORK_POLICY_BASELINE_CHART, type: AssetType.DIRECTORY });
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
