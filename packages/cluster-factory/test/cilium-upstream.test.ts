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
import { ciliumValues, type CiliumValues } from '../src/cilium/values.js';
import { CILIUM_CHART_RULES, ciliumValuesProblems } from '../src/cilium/chart-validation.js';
import { ciliumOperatorPolicy } from '../src/cilium/cilium-operator-identity.js';
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
