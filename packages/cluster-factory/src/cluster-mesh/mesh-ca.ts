/** The Helm release that installs Cilium; the mesh CA Secret is handed over to it. */
export const CILIUM_RELEASE = { name: 'cilium', namespace: 'kube-system' } as const;

/** The Secret the Cilium chart signs Cluster Mesh (and Hubble) certificates with. */
export const CILIUM_CA_SECRET = 'cilium-ca';

/**
 * Shell commands (run by `terraform apply` through kubectlScript) that copy the mesh CA from
 * Secrets Manager into the `cilium-ca` Secret before Cilium installs. The key passes through
 * a private temporary directory and stdin, never a command line or Terraform state.
 *
 * The Secret carries Helm's ownership metadata: the chart renders `cilium-ca` itself (reusing
 * the existing key pair, found through `lookup`), and Helm refuses to take over an object
 * another tool created ("invalid ownership metadata") unless it is labelled and annotated
 * for this release.
 *
 * Needs `aws` and `jq` on the deployer's PATH; reads CA_SECRET_ID and CA_SECRET_REGION.
 */
export function meshCaImportCommands(): string {
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: CILIUM_CA_SECRET,
      namespace: CILIUM_RELEASE.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': CILIUM_RELEASE.name, 'meta.helm.sh/release-namespace': CILIUM_RELEASE.namespace },
    },
  };
  const jqProgram = `${JSON.stringify(manifest).slice(0, -1)},"data":{"ca.crt":($ca[0].cert|@base64),"ca.key":($ca[0].key|@base64)}}`;
  return [
    'dir="$(mktemp -d)"; trap \'rm -rf "$dir" "$kubeconfig"\' EXIT',
    'aws secretsmanager get-secret-value --secret-id "$CA_SECRET_ID" --region "$CA_SECRET_REGION" --query SecretString --output text > "$dir/ca.json"',
    `jq -n --slurpfile ca "$dir/ca.json" '${jqProgram}' > "$dir/secret.json"`,
    'kubectl --kubeconfig "$kubeconfig" apply -f "$dir/secret.json"',
  ].join('\n');
}
