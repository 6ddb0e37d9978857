import { readFileSync } from 'node:fs';
import { CILIUM_CHART } from './versions.js';
import { JsonSchemaChecker } from '../../lib/private/json-schema.js';
import type { ChartOverrideRules } from '../../kubernetes/helm-value-overrides.js';
import { ciliumChartKeys } from './chart-keys.js';

let schema: JsonSchemaChecker | undefined;

/** The pinned chart's values.schema.json (draft-07), read once. */
export function ciliumValuesSchema(): JsonSchemaChecker {
  schema ??= new JsonSchemaChecker(JSON.parse(readFileSync(new URL(`../../../reference/cilium-${CILIUM_CHART.version}/values.schema.json`, import.meta.url), 'utf8')) as object, '7');
  return schema;
}

let freeForm: string[] | undefined;

/** Keys of the chart's list with nothing listed below them: maps and lists the chart passes through (annotations, clusters). */
function ciliumFreeFormKeys(): string[] {
  if (!freeForm) {
    const keys = [...ciliumChartKeys()];
    freeForm = keys.filter((key) => !keys.some((other) => other.startsWith(`${key}.`) || other.startsWith(`${key}[]`)));
  }
  return freeForm;
}

/**
 * `helm_values.cilium`: every value ciliumValues() sets belongs to a config field (cilium/values.ts),
 * except the operator's replicas and the roll-out switches, which a config may override.
 */
export const CILIUM_VALUE_RULES: ChartOverrideRules = {
  field: 'cilium',
  chart: CILIUM_CHART,
  keyListFile: `packages/cluster-factory/src/features/cilium/chart-keys/cilium-${CILIUM_CHART.version}.txt`,
  keys: () => ciliumChartKeys(),
  freeForm: ciliumFreeFormKeys,
  schema: ciliumValuesSchema,
  owned: [
    { key: 'cluster.*', owner: 'name and regions[].cluster_id', why: 'cluster.name is the EKS cluster name, cluster.id the Cluster Mesh id' },
    { key: 'MTU', owner: 'cluster_mesh', why: "the mesh's path MTU; without a mesh Cilium detects it from the node's device" },
    { key: 'kubeProxyReplacement', owner: 'enable_kube_proxy_replacement' },
    { key: 'k8sServiceHost', owner: 'the cluster stack', why: "the EKS API server endpoint: there is no kube-proxy before Cilium runs" },
    { key: 'k8sServicePort', owner: 'the cluster stack', why: 'the EKS API server endpoint: there is no kube-proxy before Cilium runs' },
    { key: 'routingMode', owner: 'cilium_mode', why: 'native in ENI mode, tunnel in overlay mode' },
    { key: 'tunnelProtocol', owner: 'cilium_mode', why: 'geneve in overlay mode' },
    { key: 'tunnel', owner: 'cilium_mode', why: 'removed in Cilium 1.15: routingMode and tunnelProtocol replace it' },
    { key: 'ipv4NativeRoutingCIDR', owner: 'cilium_mode and vpc_cidr' },
    { key: 'enableIPv4Masquerade', owner: 'cilium_mode', why: 'off in ENI mode (pods keep VPC addresses), on in overlay mode' },
    { key: 'ipam.mode', owner: 'cilium_mode', why: 'eni or cluster-pool' },
    { key: 'ipam.operator.*', owner: 'cilium.pod_cidr', why: 'the cluster-pool range and mask of overlay mode' },
    { key: 'eni.*', owner: 'cilium_mode and cilium.prefix_delegation' },
    { key: 'hubble.enabled', owner: 'enable_hubble' },
    { key: 'hubble.relay.enabled', owner: 'cilium.hubble_relay' },
    { key: 'hubble.ui.enabled', owner: 'cilium.hubble_ui' },
    { key: 'l7Proxy', owner: 'cilium.l7_proxy' },
    { key: 'envoy.enabled', owner: 'cilium.l7_proxy' },
    { key: 'gatewayAPI.enabled', owner: 'cilium.gateway_api' },
    { key: 'bgpControlPlane.enabled', owner: 'cilium.bgp_control_plane' },
    { key: 'encryption.*', owner: 'cilium.wireguard' },
    { key: 'authentication.enabled', owner: 'cilium.mutual_auth' },
    { key: 'authentication.mutual.spire.enabled', owner: 'cilium.mutual_auth' },
    { key: 'authentication.mutual.spire.install.enabled', owner: 'cilium.mutual_auth' },
    { key: 'authentication.mutual.spire.install.server.dataStorage.*', owner: 'cilium.mutual_auth', why: 'an encrypted gp3 volume of the platform' },
    { key: 'clustermesh.useAPIServer', owner: 'cluster_mesh' },
    { key: 'clustermesh.apiserver.replicas', owner: 'cluster_mesh and protect_stateful_resources' },
    { key: 'clustermesh.apiserver.service.*', owner: 'cluster_mesh', why: 'an internal NLB reachable from the mesh VPCs only' },
    { key: 'clustermesh.apiserver.tls.server.extraDnsNames', owner: 'cluster_mesh', why: "the name peers dial" },
    { key: 'clustermesh.config.*', owner: 'cluster_mesh and regions', why: 'the peers of the mesh' },
  ],
  defaults: ['operator.replicas', 'operator.rollOutPods', 'rollOutCiliumPods'],
};
