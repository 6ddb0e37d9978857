import type { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { TerraformData } from './terraform-data.js';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import type { ClusterAccess } from '../../stacks/cluster-access.js';

/**
 * helm and kubernetes providers for one EKS cluster. The token comes from `aws eks
 * get-token` at each run, so it never expires mid-apply and never lands in state.
 */
export function configureKubernetesProviders(scope: Construct, access: ClusterAccess): { helm: HelmProvider; kubernetes: KubernetesProvider } {
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', access.clusterName, '--region', access.region, '--output', 'json'],
  };
  const clusterCaCertificate = Fn.base64decode(access.certificateAuthorityData);
  return {
    helm: new HelmProvider(scope, 'helm', { kubernetes: { host: access.endpoint, clusterCaCertificate, exec } }),
    kubernetes: new KubernetesProvider(scope, 'kubernetes', { host: access.endpoint, clusterCaCertificate, exec: [exec] }),
  };
}

/**
 * A shell step run by `terraform apply` against the cluster with a throw-away kubeconfig,
 * for objects that the kubernetes provider could only plan against a live API.
 */
export function kubectlScript(commands: string): string {
  return [
    'set -euo pipefail',
    'kubeconfig="$(mktemp)"',
    'trap \'rm -f "$kubeconfig"\' EXIT',
    'aws eks update-kubeconfig --name "$CLUSTER_NAME" --region "$AWS_REGION" --kubeconfig "$kubeconfig" >/dev/null',
    commands,
  ].join('\n');
}

/**
 * A release manifest (CRDs) applied with `kubectl apply --server-side` at apply time, again
 * whenever `version` changes: kubernetes_manifest would need a live API server at plan time,
 * and Helm never upgrades a chart's crds/.
 */
export function manifestUrlApply(scope: Construct, id: string, props: { readonly cluster: Pick<ClusterAccess, 'clusterName' | 'region'>; readonly url: string; readonly version: string }): TerraformData {
  return new TerraformData(scope, id, {
    triggersReplace: { version: props.version },
    provisioners: [
      {
        type: 'local-exec',
        interpreter: ['/bin/bash', '-c'],
        command: kubectlScript('kubectl --kubeconfig "$kubeconfig" apply --server-side -f "$MANIFEST_URL"'),
        environment: { CLUSTER_NAME: props.cluster.clusterName, AWS_REGION: props.cluster.region, MANIFEST_URL: props.url },
      },
    ],
  });
}
