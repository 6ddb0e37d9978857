import { CILIUM_CHART } from './versions.js';
import { unknownCiliumKeys } from './chart-keys.js';
import { valueKeyPaths, type CiliumValues } from './values.js';
import { ciliumValuesSchema } from './helm-value-rules.js';

/**
 * A rule the chart (or Cilium at start-up) enforces on keys this project sets, written down
 * so synth refuses what `helm install` or the agent would refuse on the first deploy.
 */
export interface CiliumChartRule {
  readonly id: string;
  /** Where the rule comes from. */
  readonly source: string;
  /** The problem, or undefined when the values satisfy the rule. */
  check(values: CiliumValues): string | undefined;
}

/** A value of the (merged) values by dotted path, or the chart's default (values.yaml of the pinned chart) when absent. */
function dig(values: CiliumValues, path: string, chartDefault?: unknown): unknown {
  const value = path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), values);
  return value === undefined ? chartDefault : value;
}

/** Go template truthiness: false, 0, "", nil and empty maps and lists are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Keys validate.yaml fails on because the chart removed them (helm_values could set them: their names are still read). */
const REMOVED_KEYS = [
  'enableCiliumEndpointSlice',
  'ciliumEndpointSlice.sliceMode',
  'encryption.keyFile',
  'encryption.mountPath',
  'encryption.secretName',
  'encryption.interface',
  'proxy.prometheus.enabled',
  'proxy.prometheus.port',
  'endpointStatus',
  'remoteNodeIdentity',
  'containerRuntime.integration',
  'etcd.managed',
  'tunnel',
  'clustermesh.apiserver.tls.ca.cert',
  'clustermesh.apiserver.tls.ca.key',
  'enableK8sEventHandover',
  'enableCnpStatusUpdates',
] as const;

/** Identity allocation modes that keep identities in CRDs (_helpers.tpl identityAllocationCRD). */
const CRD_IDENTITY_MODES = ['crd', 'doublewrite-readkvstore', 'doublewrite-readcrd'];
const VALIDATE = 'chart 1.19.6 templates/validate.yaml';

export const CILIUM_CHART_RULES: readonly CiliumChartRule[] = [
  {
    id: 'spire-needs-authentication',
    source: 'chart 1.19.6: authentication.enabled defaults to false and the chart refuses SPIRE without it',
    check: (values) =>
      values.authentication.mutual.spire.enabled && !values.authentication.enabled ? 'authentication.mutual.spire.enabled needs authentication.enabled: true' : undefined,
  },
  {
    id: 'kube-proxy-replacement-boolean',
    source: 'Cilium 1.16 upgrade notes: strict/partial/probe/disabled are rejected; the schema still types the key as string or boolean',
    check: (values) => (typeof values.kubeProxyReplacement !== 'boolean' ? 'kubeProxyReplacement must be true or false' : undefined),
  },
  {
    id: 'hubble-relay-needs-hubble',
    source: 'chart templates/validate.yaml: "Hubble Relay requires .Values.hubble.enabled=true"',
    check: (values) => (values.hubble.relay.enabled && !values.hubble.enabled ? 'hubble.relay.enabled needs hubble.enabled: true' : undefined),
  },
  {
    id: 'hubble-ui-needs-relay',
    source: 'chart templates/validate.yaml: "Hubble UI requires .Values.hubble.relay.enabled=true"',
    check: (values) => (values.hubble.ui.enabled && !values.hubble.relay.enabled ? 'hubble.ui.enabled needs hubble.relay.enabled: true' : undefined),
  },
  {
    id: 'eni-cluster-id-range',
    source: 'cilium#21330: in ENI mode the chart fails for cluster.id 128-255',
    check: (values) =>
      values.ipam.mode === 'eni' && values.cluster.id !== undefined && values.cluster.id > 127 ? `cluster.id ${values.cluster.id} must be 1-127 in ENI mode` : undefined,
  },
  {
    id: 'cluster-mesh-identity',
    source: 'Cilium Cluster Mesh docs: every member needs a unique cluster.name (not "default") and cluster.id 1-255',
    check: (values) =>
      values.clustermesh && (!values.cluster.id || values.cluster.name === 'default') ? 'Cluster Mesh needs cluster.id >= 1 and a cluster.name other than "default"' : undefined,
  },
  {
    id: 'gateway-api-prerequisites',
    source: 'Cilium Gateway API docs: needs kubeProxyReplacement: true and l7Proxy: true',
    check: (values) => (values.gatewayAPI.enabled && !(values.kubeProxyReplacement && values.l7Proxy) ? 'gatewayAPI.enabled needs kubeProxyReplacement: true and l7Proxy: true' : undefined),
  },  {
    id: 'removed-keys',
    source: `${VALIDATE}: "... has been removed in v1.1x"`,
    check: (values) => {
      const set = REMOVED_KEYS.filter((key) => truthy(dig(values, key)));
      return set.length > 0 ? `${set.join(', ')}: removed from the chart (see the Cilium upgrade notes, Helm options)` : undefined;
    },
  },
  {
    id: 'one-api-server-address',
    source: `${VALIDATE}: "Both k8sServiceHostRef and k8sServiceHost are set"`,
    check: (values) => (truthy(dig(values, 'k8sServiceHostRef.name')) && truthy(dig(values, 'k8sServiceHostRef.key')) && truthy(values.k8sServiceHost) ? 'k8sServiceHostRef and k8sServiceHost are both set' : undefined),
  },
  {
    id: 'hubble-ui-standalone-tls',
    source: `${VALIDATE}: "Hubble UI in standalone with Hubble Relay server TLS enabled requires ... certsVolume"`,
    check: (values) =>
      values.hubble.ui.enabled && truthy(dig(values, 'hubble.ui.standalone.enabled', false)) && truthy(dig(values, 'hubble.relay.tls.server.enabled', false)) && !truthy(dig(values, 'hubble.ui.standalone.tls.certsVolume'))
        ? 'hubble.ui.standalone.enabled with hubble.relay.tls.server.enabled needs hubble.ui.standalone.tls.certsVolume'
        : undefined,
  },
  {
    id: 'hubble-tls-cert-manager-issuer',
    source: `${VALIDATE}: "Hubble TLS certgen method=certmanager requires ... certManagerIssuerRef"`,
    check: (values) =>
      values.hubble.enabled && truthy(dig(values, 'hubble.tls.enabled', true)) && truthy(dig(values, 'hubble.tls.auto.enabled', true)) && dig(values, 'hubble.tls.auto.method', 'helm') === 'certmanager' && !truthy(dig(values, 'hubble.tls.auto.certManagerIssuerRef'))
        ? 'hubble.tls.auto.method: certmanager needs hubble.tls.auto.certManagerIssuerRef'
        : undefined,
  },
  {
    id: 'hubble-redact-headers',
    source: `${VALIDATE}: "Only one of .Values.hubble.redact.http.headers.allow, .Values.hubble.redact.http.headers.deny can be specified"`,
    check: (values) => (truthy(dig(values, 'hubble.redact.http.headers.allow')) && truthy(dig(values, 'hubble.redact.http.headers.deny')) ? 'hubble.redact.http.headers: set allow or deny, not both' : undefined),
  },
  {
    id: 'clustermesh-tls-cert-manager-issuer',
    source: `${VALIDATE}: "ClusterMesh TLS certgen method=certmanager requires ... certManagerIssuerRef"`,
    check: (values) =>
      values.clustermesh?.useAPIServer && truthy(dig(values, 'clustermesh.apiserver.tls.auto.enabled', true)) && dig(values, 'clustermesh.apiserver.tls.auto.method', 'helm') === 'certmanager' && !truthy(dig(values, 'clustermesh.apiserver.tls.auto.certManagerIssuerRef'))
        ? 'clustermesh.apiserver.tls.auto.method: certmanager needs clustermesh.apiserver.tls.auto.certManagerIssuerRef'
        : undefined,
  },
  {
    id: 'envoy-needs-l7-proxy',
    source: `${VALIDATE}: "Ingress or Gateway API controller or Envoy L7 Load Balancer requires .Values.l7Proxy to be set to 'true'"`,
    check: (values) =>
      (truthy(dig(values, 'ingressController.enabled', false)) || values.gatewayAPI.enabled || dig(values, 'loadBalancer.l7.backend') === 'envoy') && !values.l7Proxy
        ? 'ingressController.enabled, gatewayAPI.enabled and loadBalancer.l7.backend: envoy need l7Proxy: true'
        : undefined,
  },
  {
    id: 'ingress-external-traffic-policy',
    source: `${VALIDATE}: "Cilium Ingress services of type 'LoadBalancer' or 'NodePort' need an externalTrafficPolicy set to 'Cluster' or 'Local'."`,
    check: (values) =>
      truthy(dig(values, 'ingressController.enabled', false)) &&
      ['LoadBalancer', 'NodePort'].includes(String(dig(values, 'ingressController.service.type', 'LoadBalancer'))) &&
      !['Cluster', 'Local'].includes(String(dig(values, 'ingressController.service.externalTrafficPolicy', 'Cluster')))
        ? 'ingressController.service.externalTrafficPolicy must be Cluster or Local'
        : undefined,
  },
  {
    id: 'gateway-external-traffic-policy',
    source: `${VALIDATE}: "Cilium GatewayAPI needs an externalTrafficPolicy set to 'Cluster' or 'Local'."`,
    check: (values) => (values.gatewayAPI.enabled && !['Cluster', 'Local'].includes(String(dig(values, 'gatewayAPI.externalTrafficPolicy', 'Cluster'))) ? 'gatewayAPI.externalTrafficPolicy must be Cluster or Local' : undefined),
  },
  {
    id: 'endpoint-slices-need-endpoint-crd',
    source: `${VALIDATE}: "if Cilium Endpoint Slice is enabled ..., it requires .Values.disableEndpointCRD=false"`,
    check: (values) => (truthy(dig(values, 'ciliumEndpointSlice.enabled', false)) && dig(values, 'disableEndpointCRD', false) === true ? 'ciliumEndpointSlice.enabled needs disableEndpointCRD: false' : undefined),
  },
  {
    id: 'clustermesh-apiserver-identities',
    source: `${VALIDATE}: "The clustermesh-apiserver cannot be enabled in combination with .Values.disableEndpointCRD=true" / "The kvstoremesh container cannot be disabled ..."`,
    check: (values) => {
      if (!values.clustermesh?.useAPIServer) return undefined;
      if (CRD_IDENTITY_MODES.includes(String(dig(values, 'identityAllocationMode', 'crd')))) return truthy(dig(values, 'disableEndpointCRD', false)) ? 'the clustermesh-apiserver needs disableEndpointCRD: false' : undefined;
      return truthy(dig(values, 'clustermesh.apiserver.kvstoremesh.enabled', true)) ? undefined : 'the clustermesh-apiserver needs clustermesh.apiserver.kvstoremesh.enabled with a kvstore identityAllocationMode';
    },
  },
  {
    id: 'kvstoremesh-mode',
    source: `${VALIDATE}: kvstoreMode "must have the value of external or internal", and what external needs`,
    check: (values) => {
      const mode = dig(values, 'clustermesh.apiserver.kvstoremesh.kvstoreMode', 'internal');
      if (mode !== 'internal' && mode !== 'external') return 'clustermesh.apiserver.kvstoremesh.kvstoreMode must be internal or external';
      if (mode === 'internal') return undefined;
      const problems = [
        ...(values.clustermesh?.useAPIServer ? [] : ['clustermesh.useAPIServer: true']),
        ...(truthy(dig(values, 'clustermesh.apiserver.kvstoremesh.enabled', true)) ? [] : ['clustermesh.apiserver.kvstoremesh.enabled: true']),
        ...(String(dig(values, 'clustermesh.apiserver.replicas', 1)) === '1' ? [] : ['clustermesh.apiserver.replicas: 1']),
        ...(CRD_IDENTITY_MODES.slice(1).concat('kvstore').includes(String(dig(values, 'identityAllocationMode', 'crd'))) ? [] : ['identityAllocationMode kvstore, doublewrite-readkvstore or doublewrite-readcrd']),
      ];
      return problems.length > 0 ? `clustermesh.apiserver.kvstoremesh.kvstoreMode: external needs ${problems.join(', ')}` : undefined;
    },
  },
  {
    id: 'max-connected-clusters',
    source: `${VALIDATE}: "max-connected-clusters must be set to 255 or 511"`,
    check: (values) => ([255, 511].includes(Math.trunc(Number(dig(values, 'clustermesh.maxConnectedClusters', 255)))) ? undefined : 'clustermesh.maxConnectedClusters must be 255 or 511'),
  },
  {
    id: 'envoy-base-id',
    source: `${VALIDATE}: "envoy.baseID must be an int. Supported values 0 - 4294967295"`,
    check: (values) => {
      const id = Math.trunc(Number(dig(values, 'envoy.baseID', 0)));
      return id >= 0 && id <= 4294967295 ? undefined : 'envoy.baseID must be 0 to 4294967295';
    },
  },
  {
    id: 'client-backoff-env',
    source: `${VALIDATE}: "k8sClientExponentialBackoff cannot be enabled when extraEnv contains KUBE_CLIENT_BACKOFF_BASE or KUBE_CLIENT_BACKOFF_DURATION"`,
    check: (values) => {
      const env = dig(values, 'extraEnv', []);
      const clash = Array.isArray(env) && env.some((entry: { name?: unknown } | null) => entry?.name === 'KUBE_CLIENT_BACKOFF_BASE' || entry?.name === 'KUBE_CLIENT_BACKOFF_DURATION');
      return truthy(dig(values, 'k8sClientExponentialBackoff.enabled', true)) && clash ? 'extraEnv sets KUBE_CLIENT_BACKOFF_BASE or KUBE_CLIENT_BACKOFF_DURATION while k8sClientExponentialBackoff.enabled (the chart default) sets them' : undefined;
    },
  },
  {
    id: 'standalone-dns-proxy-port',
    source: `${VALIDATE}: "standaloneDnsProxy requires dnsProxy.proxyPort to be set to a non-zero value"`,
    check: (values) => (truthy(dig(values, 'standaloneDnsProxy.enabled', false)) && !truthy(Math.trunc(Number(dig(values, 'dnsProxy.proxyPort', 0)))) ? 'standaloneDnsProxy.enabled needs a non-zero dnsProxy.proxyPort (e.g. 10094)' : undefined),
  },
  {
    id: 'tproxy-not-with-netkit',
    source: `${VALIDATE}: ".Values.bpf.tproxy cannot be enabled with .Values.bpf.datapathMode=netkit or .Values.bpf.datapathMode=netkit-l2"`,
    check: (values) => (truthy(dig(values, 'bpf.tproxy')) && ['netkit', 'netkit-l2'].includes(String(dig(values, 'bpf.datapathMode', 'veth'))) ? 'bpf.tproxy cannot be enabled with bpf.datapathMode netkit or netkit-l2' : undefined),
  },
];

/**
 * Problems of Cilium values against the pinned chart: its values.schema.json (types, enums;
 * reference/cilium-<version>/values.schema.json), its key list (the schema accepts unknown
 * keys, so a misspelled or removed key would be silently ignored), and its validation rules.
 */
export function ciliumValuesProblems(values: CiliumValues): string[] {
  const keys = unknownCiliumKeys(valueKeyPaths(values)).map((key) => `${key}: not a key of chart ${CILIUM_CHART.version}`);
  return [...schemaProblems(values), ...keys, ...ruleProblems(values)];
}

/**
 * The schema and rule problems of values whose keys were checked elsewhere: the platform's
 * values merged with a config's helm_values.cilium (whose keys helmValueProblems checks).
 */
export function ciliumValuesSchemaAndRuleProblems(values: CiliumValues): string[] {
  return [...schemaProblems(values), ...ruleProblems(values)];
}

const schemaProblems = (values: CiliumValues) => ciliumValuesSchema().problems(values).map((problem) => `${problem} (values.schema.json)`);

function ruleProblems(values: CiliumValues): string[] {
  return CILIUM_CHART_RULES.flatMap((rule) => {
    const problem = rule.check(values);
    return problem ? [`${problem} (${rule.id})`] : [];
  });
}
