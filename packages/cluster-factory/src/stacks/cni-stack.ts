import type { Construct } from 'constructs';
import { DataResource, type ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import type { ClusterAccess } from './cluster-stack.js';
import { configureKubernetesProviders, kubectlScript } from '../lib/private/kubernetes-providers.js';
import { helmValues } from '../lib/private/helm.js';
import { ciliumValues, valueKeyPaths, type CiliumValuesInput } from '../cilium/values.js';
import { unknownCiliumKeys } from '../cilium/chart-keys.js';
import { CILIUM_CHART, GATEWAY_API_VERSION } from '../versions.js';

/** The encrypted gp3 StorageClass the SPIRE server's volume uses. */
export const SPIRE_STORAGE_CLASS = 'gp3-encrypted';

export interface CniStackProps {
  readonly settings: StackSettings;
  readonly cluster: ClusterAccess;
  /** Everything but the API server host, which comes from the cluster stack. */
  readonly cilium: Omit<CiliumValuesInput, 'apiServerHost' | 'spireStorageClass'>;
  /**
   * The Secrets Manager secret holding the Cluster Mesh CA (JSON `{cert, key}`), shared by
   * every cluster of the mesh. Imported as the `cilium-ca` secret before Cilium installs,
   * so the chart signs its certificates with it; the key never enters Terraform state.
   */
  readonly meshCa?: { readonly secretId: string; readonly region: string };
}

/** The Gateway API CRDs release manifest Cilium's Gateway controller needs first. */
export function gatewayApiCrdsUrl(version: string = GATEWAY_API_VERSION): string {
  return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}

/**
 * Cilium, installed after the control plane and before any node: nodes then join with a
 * CNI ready and never sit NotReady. Nothing here waits for pods (there are no nodes yet).
 */
export class CniStack extends EnvironmentStack {
  readonly cilium: Release;

  constructor(scope: Construct, props: CniStackProps) {
    super(scope, 'cni', props.settings);
    configureKubernetesProviders(this, props.cluster);

    const values = ciliumValues({ ...props.cilium, apiServerHost: props.cluster.endpointHost, spireStorageClass: SPIRE_STORAGE_CLASS });
    const unknown = unknownCiliumKeys(valueKeyPaths(values));
    if (unknown.length > 0) throw new Error(`Cilium values set keys chart ${CILIUM_CHART.version} does not accept: ${unknown.join(', ')}`);

    const prerequisites: ITerraformDependable[] = [];
    if (props.cilium.gatewayApi) {
      // CRDs must exist before Cilium starts its Gateway controller. kubernetes_manifest
      // would need a live API server at plan time, so they are applied at apply time.
      prerequisites.push(
        new DataResource(this, 'gateway-api-crds', {
          triggersReplace: { version: GATEWAY_API_VERSION },
          provisioners: [
            {
              type: 'local-exec',
              interpreter: ['/bin/bash', '-c'],
              command: kubectlScript('kubectl --kubeconfig "$kubeconfig" apply --server-side -f "$MANIFEST_URL"'),
              environment: { CLUSTER_NAME: props.cluster.clusterName, AWS_REGION: props.cluster.region, MANIFEST_URL: gatewayApiCrdsUrl() },
            },
          ],
        }),
      );
    }
    if (props.meshCa) {
      prerequisites.push(
        new DataResource(this, 'cluster-mesh-ca', {
          triggersReplace: { secret: props.meshCa.secretId },
          provisioners: [
            {
              type: 'local-exec',
              interpreter: ['/bin/bash', '-c'],
              command: kubectlScript(
                [
                  'dir="$(mktemp -d)"; trap \'rm -rf "$dir" "$kubeconfig"\' EXIT',
                  'aws secretsmanager get-secret-value --secret-id "$CA_SECRET_ID" --region "$CA_SECRET_REGION" --query SecretString --output text > "$dir/ca.json"',
                  'jq -r .cert "$dir/ca.json" > "$dir/ca.crt"; jq -r .key "$dir/ca.json" > "$dir/ca.key"',
                  'kubectl --kubeconfig "$kubeconfig" -n kube-system create secret generic cilium-ca --from-file=ca.crt="$dir/ca.crt" --from-file=ca.key="$dir/ca.key" --dry-run=client -o yaml | kubectl --kubeconfig "$kubeconfig" apply -f -',
                ].join('\n'),
              ),
              environment: {
                CLUSTER_NAME: props.cluster.clusterName,
                AWS_REGION: props.cluster.region,
                CA_SECRET_ID: props.meshCa.secretId,
                CA_SECRET_REGION: props.meshCa.region,
              },
            },
          ],
        }),
      );
    }
    if (props.cilium.mutualAuth) {
      prerequisites.push(
        new StorageClassV1(this, 'spire-storage', {
          metadata: { name: SPIRE_STORAGE_CLASS },
          storageProvisioner: 'ebs.csi.aws.com',
          volumeBindingMode: 'WaitForFirstConsumer',
          reclaimPolicy: 'Retain',
          parameters: { type: 'gp3', encrypted: 'true' },
        }),
      );
    }

    this.cilium = new Release(this, 'cilium', {
      name: 'cilium',
      namespace: 'kube-system',
      repository: CILIUM_CHART.repository,
      chart: CILIUM_CHART.chart,
      version: CILIUM_CHART.version,
      ...helmValues(values),
      wait: false,
      atomic: false,
      maxHistory: 10,
      dependsOn: prerequisites.length > 0 ? prerequisites : undefined,
    });
  }
}
