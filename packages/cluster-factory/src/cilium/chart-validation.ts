import { CILIUM_CHART } from '../versions.js';
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
