/**
 * Cilium as upstream defines it: the pinned chart's values schema, key list and validation
 * rules; the operator's documented EC2 privileges; the CA Secret hand-over Helm accepts.
 */
import { describe, expect, test } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Secret } from 'kubernetes-models/v1/Secret';
import { CILIUM_VALUES_INPUT } from './fixtures.js';
import { ciliumValues, type CiliumValues } from '../src/features/cilium/values.js';
import { CILIUM_CHART_RULES, ciliumValuesProblems, ciliumValuesSchemaAndRuleProblems } from '../src/features/cilium/chart-validation.js';
import { mergeHelmValues } from '../src/kubernetes/helm-value-overrides.js';
import { ciliumOperatorPolicy } from '../src/features/cilium/cilium-operator-identity.js';
import { meshCaImportCommands } from '../src/cluster-mesh/mesh-ca.js';
import { kubectlScript } from '../src/lib/private/kubernetes-providers.js';

const INPUT = CILIUM_VALUES_INPUT;
const MESH = { clusterId: 7, address: 'c-a.mesh.e.internal', peers: [{ name: 'c-b', address: 'c-b.mesh.e.internal' }], apiServerReplicas: 2, apiServerClientCidrs: ['10.10.0.0/16', '10.11.0.0/16'], pathMtu: 8500 };
const EVERYTHING = { wireguard: true, mutualAuth: true, gatewayApi: true, bgpControlPlane: true };

describe('Cilium values validate against the pinned chart (schema, keys, rules)', () => {
  test.each([
    ['eni', INPUT],
    ['eni, prefix delegation, every feature', { ...INPUT, ...EVERYTHING, prefixDelegation: true }],
    ['eni, Cluster Mesh', { ...INPUT, clusterMesh: MESH }],
    ['overlay, every feature', { ...INPUT, ...EVERYTHING, mode: 'overlay' as const }],
    ['overlay, Cluster Mesh', { ...INPUT, mode: 'overlay' as const, clusterMesh: MESH }],
    ['no kube-proxy replacement, no Hubble', { ...INPUT, kubeProxyReplacement: false, hubble: false }],
  ])('%s', (_name, input) => {
    expect(ciliumValuesProblems(ciliumValues(input))).toEqual([]);
  });

  const base = () => ciliumValues({ ...INPUT, ...EVERYTHING });
  test.each<[string, (values: CiliumValues) => void, string]>([
    ['a removed kubeProxyReplacement string', (v) => Object.assign(v, { kubeProxyReplacement: 'strict' }), 'kubeProxyReplacement must be true or false (kube-proxy-replacement-boolean)'],
    ['a string where the schema wants a boolean', (v) => Object.assign(v.hubble, { enabled: 'yes' }), 'hubble.enabled: Instance type "string" is invalid. Expected "boolean". (values.schema.json)'],
    ['the removed tunnel key', (v) => Object.assign(v, { tunnel: 'geneve' }), 'tunnel: not a key of chart 1.19.6'],
    ['a misspelled key', (v) => Object.assign(v.clustermesh ?? v, { useAPIServr: true }), 'useAPIServr: not a key of chart 1.19.6'],
  ])('refuses %s', (_name, mutate, problem) => {
    const values = base();
    mutate(values);
    expect(ciliumValuesProblems(values)).toContain(problem);
  });

  // The rules of templates/validate.yaml that values from helm_values can break, each broken on
  // purpose in the values merged over the platform's (the chart defaults they read are noted in the rule).
  const meshBase = () => ciliumValues({ ...INPUT, ...EVERYTHING, clusterMesh: MESH });
  test.each<[string, Record<string, unknown>, string]>([
    ['removed-keys', { etcd: { managed: true }, enableCnpStatusUpdates: true }, 'etcd.managed, enableCnpStatusUpdates: removed from the chart (see the Cilium upgrade notes, Helm options) (removed-keys)'],
    ['one-api-server-address', { k8sServiceHostRef: { name: 'cm', key: 'host' } }, 'k8sServiceHostRef and k8sServiceHost are both set (one-api-server-address)'],
    ['hubble-ui-standalone-tls', { hubble: { ui: { standalone: { enabled: true } }, relay: { tls: { server: { enabled: true } } } } }, 'hubble.ui.standalone.enabled with hubble.relay.tls.server.enabled needs hubble.ui.standalone.tls.certsVolume (hubble-ui-standalone-tls)'],
    ['hubble-tls-cert-manager-issuer', { hubble: { tls: { auto: { method: 'certmanager' } } } }, 'hubble.tls.auto.method: certmanager needs hubble.tls.auto.certManagerIssuerRef (hubble-tls-cert-manager-issuer)'],
    ['hubble-redact-headers', { hubble: { redact: { http: { headers: { allow: ['traceparent'], deny: ['authorization'] } } } } }, 'hubble.redact.http.headers: set allow or deny, not both (hubble-redact-headers)'],
    ['clustermesh-tls-cert-manager-issuer', { clustermesh: { apiserver: { tls: { auto: { method: 'certmanager' } } } } }, 'clustermesh.apiserver.tls.auto.method: certmanager needs clustermesh.apiserver.tls.auto.certManagerIssuerRef (clustermesh-tls-cert-manager-issuer)'],
    ['envoy-needs-l7-proxy', { l7Proxy: false, gatewayAPI: { enabled: false }, loadBalancer: { l7: { backend: 'envoy' } } }, 'ingressController.enabled, gatewayAPI.enabled and loadBalancer.l7.backend: envoy need l7Proxy: true (envoy-needs-l7-proxy)'],
    ['ingress-external-traffic-policy', { ingressController: { enabled: true, service: { externalTrafficPolicy: 'Nowhere' } } }, 'ingressController.service.externalTrafficPolicy must be Cluster or Local (ingress-external-traffic-policy)'],
    ['gateway-external-traffic-policy', { gatewayAPI: { externalTrafficPolicy: 'Nowhere' } }, 'gatewayAPI.externalTrafficPolicy must be Cluster or Local (gateway-external-traffic-policy)'],
    ['endpoint-slices-need-endpoint-crd', { ciliumEndpointSlice: { enabled: true }, disableEndpointCRD: true, identityAllocationMode: 'kvstore' }, 'ciliumEndpointSlice.enabled needs disableEndpointCRD: false (endpoint-slices-need-endpoint-crd)'],
    ['clustermesh-apiserver-identities', { disableEndpointCRD: true }, 'the clustermesh-apiserver needs disableEndpointCRD: false (clustermesh-apiserver-identities)'],
    ['kvstoremesh-mode', { clustermesh: { apiserver: { kvstoremesh: { kvstoreMode: 'external' } } } }, 'clustermesh.apiserver.kvstoremesh.kvstoreMode: external needs clustermesh.apiserver.replicas: 1, identityAllocationMode kvstore, doublewrite-readkvstore or doublewrite-readcrd (kvstoremesh-mode)'],
    ['max-connected-clusters', { clustermesh: { maxConnectedClusters: 300 } }, 'clustermesh.maxConnectedClusters must be 255 or 511 (max-connected-clusters)'],
    ['envoy-base-id', { envoy: { baseID: 4294967296 } }, 'envoy.baseID must be 0 to 4294967295 (envoy-base-id)'],
    ['client-backoff-env', { extraEnv: [{ name: 'KUBE_CLIENT_BACKOFF_BASE', value: '1' }] }, 'extraEnv sets KUBE_CLIENT_BACKOFF_BASE or KUBE_CLIENT_BACKOFF_DURATION while k8sClientExponentialBackoff.enabled (the chart default) sets them (client-backoff-env)'],
    ['standalone-dns-proxy-port', { standaloneDnsProxy: { enabled: true } }, 'standaloneDnsProxy.enabled needs a non-zero dnsProxy.proxyPort (e.g. 10094) (standalone-dns-proxy-port)'],
    ['tproxy-not-with-netkit', { bpf: { tproxy: true, datapathMode: 'netkit' } }, 'bpf.tproxy cannot be enabled with bpf.datapathMode netkit or netkit-l2 (tproxy-not-with-netkit)'],
  ])('validate.yaml rule %s, broken by values merged over the platform\'s', (id, override, problem) => {
    const values = meshBase();
    expect(ciliumValuesSchemaAndRuleProblems(values)).toEqual([]);
    expect(ciliumValuesSchemaAndRuleProblems(mergeHelmValues(values, override)).filter((entry) => !entry.endsWith('(values.schema.json)'))).toEqual([problem]);
    expect(CILIUM_CHART_RULES.map((rule) => rule.id)).toContain(id);
  });

  // Each chart rule, broken on purpose: the defect it stands for fails synth, not the deploy.
  test.each<[string, (values: CiliumValues) => void, string]>([
    ['spire-needs-authentication', (v) => (v.authentication.enabled = false), 'authentication.mutual.spire.enabled needs authentication.enabled: true (spire-needs-authentication)'],
    ['hubble-relay-needs-hubble', (v) => (v.hubble.enabled = false), 'hubble.relay.enabled needs hubble.enabled: true (hubble-relay-needs-hubble)'],
    ['hubble-ui-needs-relay', (v) => (v.hubble.relay.enabled = false), 'hubble.ui.enabled needs hubble.relay.enabled: true (hubble-ui-needs-relay)'],
    ['eni-cluster-id-range', (v) => (v.cluster.id = 200), 'cluster.id 200 must be 1-127 in ENI mode (eni-cluster-id-range)'],
    ['gateway-api-prerequisites', (v) => (v.kubeProxyReplacement = false), 'gatewayAPI.enabled needs kubeProxyReplacement: true and l7Proxy: true (gateway-api-prerequisites)'],
  ])('rule %s', (id, mutate, problem) => {
    const values = base();
    expect(ciliumValuesProblems(values)).toEqual([]);
    mutate(values);
    expect(ciliumValuesProblems(values)).toContain(problem);
    expect(CILIUM_CHART_RULES.map((rule) => rule.id)).toContain(id);
  });

  test('rule cluster-mesh-identity', () => {
    const values = ciliumValues({ ...INPUT, clusterMesh: MESH });
    delete values.cluster.id;
    expect(ciliumValuesProblems(values)).toEqual(['Cluster Mesh needs cluster.id >= 1 and a cluster.name other than "default" (cluster-mesh-identity)']);
  });
});

describe('Cilium operator EC2 permissions against the documented list', () => {
  const reference = JSON.parse(readFileSync(new URL('../reference/cilium-1.19/eni-operator-privileges.json', import.meta.url), 'utf8')) as {
    required: string[];
    conditional: Record<string, string>;
  };
  const policy = ciliumOperatorPolicy({ clusterName: 'c', region: 'us-west-2', accountId: '111111111111', vpcId: 'vpc-1' }) as {
    Statement: Array<{ Action: string | string[] }>;
  };
  const granted = new Set(policy.Statement.flatMap((statement) => [statement.Action].flat()));

  test('every required privilege is granted', () => {
    expect(reference.required.filter((action) => !granted.has(action))).toEqual([]);
  });

  test('everything else granted is a documented conditional privilege this project needs', () => {
    // Reviewed: DescribeTags (ENI GC, cluster-name detection), UnassignPrivateIpAddresses
    // (eni.awsReleaseExcessIPs: true), DescribeInstances (pkg/aws/ec2 lists instance ENIs).
    // Not granted: AssignIpv6Addresses (IPv4 only).
    const extras = [...granted].filter((action) => !reference.required.includes(action)).sort();
    expect(extras).toEqual(['ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:UnassignPrivateIpAddresses']);
    for (const extra of extras) expect(Object.keys(reference.conditional)).toContain(extra);
  });
});

describe('Cluster Mesh CA hand-over to the Cilium release', () => {
  test('the applied Secret carries Helm ownership metadata and the CA from Secrets Manager, and validates', () => {
    const bin = mkdtempSync(join(tmpdir(), 'mesh-ca-'));
    const applied = join(bin, 'applied.json');
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    // aws: the kubeconfig step does nothing; Secrets Manager returns the CA document.
    stub('aws', `case "$1" in eks) exit 0;; secretsmanager) [ "$3 $4 $5 $6" = "--secret-id mesh/ca --region us-west-2" ] || exit 9; echo '{"cert":"CERT-PEM","key":"KEY-PEM"}';; esac`);
    // kubectl: records what would be applied.
    stub('kubectl', `[ "$3 $4" = "apply -f" ] || exit 9; cp "$5" "${applied}"`);
    const run = spawnSync('/bin/bash', ['-c', kubectlScript(meshCaImportCommands())], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin, CLUSTER_NAME: 'c', AWS_REGION: 'us-west-2', CA_SECRET_ID: 'mesh/ca', CA_SECRET_REGION: 'us-west-2' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const secret = JSON.parse(readFileSync(applied, 'utf8')) as { metadata: object; data: Record<string, string> };
    expect(secret.metadata).toEqual({
      name: 'cilium-ca',
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'cilium', 'meta.helm.sh/release-namespace': 'kube-system' },
    });
    expect(Buffer.from(secret.data['ca.crt']!, 'base64').toString()).toBe('CERT-PEM');
    expect(Buffer.from(secret.data['ca.key']!, 'base64').toString()).toBe('KEY-PEM');
    expect(() => new Secret(secret as never).validate()).not.toThrow();
  });
});
