import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ClusterAccess } from '../../stacks/cluster-access.js';
import { helmValues } from '../../lib/private/helm.js';
import { assertHelmValues, mergeHelmValues, type HelmValues } from '../../kubernetes/helm-value-overrides.js';
import { CILIUM_RELEASE } from '../../cluster-mesh/mesh-ca.js';
import { SPIRE_STORAGE_CLASS } from '../spire/storage-class.js';
import { ciliumValues, type CiliumValuesInput } from './values.js';
import { ciliumValuesProblems, ciliumValuesSchemaAndRuleProblems } from './chart-validation.js';
import { CILIUM_VALUE_RULES } from './helm-value-rules.js';
import { CILIUM_CHART } from './versions.js';

export interface CiliumReleaseProps {
  readonly cluster: ClusterAccess;
  /** Everything but the API server host, which comes from the cluster. */
  readonly values: Omit<CiliumValuesInput, 'apiServerHost' | 'spireStorageClass'>;
  /**
   * Chart values deep-merged last over the computed ones (the config's helm_values.cilium):
   * keys of the pinned chart that no config field decides. @default none
   */
  readonly helmValues?: HelmValues;
  /**
   * What the CNI stack's other features created before Cilium, by feature name (the Gateway API
   * CRDs, the Cluster Mesh CA imported from Secrets Manager, SPIRE's StorageClass); the release
   * depends on them. @default none
   */
  readonly prerequisites?: ReadonlyMap<string, readonly ITerraformDependable[]>;
}

/** What Cilium's values need from the CNI stack's other features: a feature's name, by the input that needs it. */
const NEEDED_FEATURES = [
  { input: 'gatewayApi', feature: 'gateway-api', why: "the Gateway API CRDs before Cilium's Gateway controller starts" },
  { input: 'mutualAuth', feature: 'spire', why: "the StorageClass of SPIRE's server volume" },
] as const;

/**
 * The Cilium release (`cilium` in scope), installed after the control plane and before any
 * node: nodes then join with a CNI ready and never sit NotReady. Nothing here waits for pods
 * (there are no nodes yet). Refuses values the pinned chart would refuse.
 */
export function ciliumRelease(scope: Construct, props: CiliumReleaseProps): Release {
  const computed = ciliumValues({ ...props.values, apiServerHost: props.cluster.endpointHost, spireStorageClass: SPIRE_STORAGE_CLASS });
  const problems = ciliumValuesProblems(computed);
  if (problems.length > 0) throw new Error(`Cilium values the pinned chart ${CILIUM_CHART.version} would refuse:\n  ${problems.join('\n  ')}`);
  assertHelmValues(CILIUM_VALUE_RULES, props.helmValues, computed);
  const values = mergeHelmValues(computed, props.helmValues);
  const merged = props.helmValues ? ciliumValuesSchemaAndRuleProblems(values) : [];
  if (merged.length > 0) throw new Error(`${props.values.clusterName}: helm_values.cilium: chart cilium ${CILIUM_CHART.version} would refuse the values merged over the platform's:\n  ${merged.join('\n  ')}`);

  const prerequisites = props.prerequisites ?? new Map<string, readonly ITerraformDependable[]>();
  for (const { input, feature, why } of NEEDED_FEATURES) {
    if (props.values[input] && !prerequisites.has(feature)) throw new Error(`${scope.node.id}: cilium.${input} needs the ${feature} feature (features): ${why}`);
  }
  const dependsOn = [...prerequisites.values()].flat();

  return new Release(scope, 'cilium', {
    name: CILIUM_RELEASE.name,
    namespace: CILIUM_RELEASE.namespace,
    repository: CILIUM_CHART.repository,
    chart: CILIUM_CHART.chart,
    version: CILIUM_CHART.version,
    ...helmValues(values),
    wait: false,
    atomic: false,
    maxHistory: 10,
    dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
  });
}
