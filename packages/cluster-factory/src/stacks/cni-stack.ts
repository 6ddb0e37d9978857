import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import type { ClusterAccess } from './cluster-access.js';
import { helmValues } from '../lib/private/helm.js';
import { ciliumValues, type CiliumValuesInput } from '../features/cilium/values.js';
import { ciliumValuesProblems, ciliumValuesSchemaAndRuleProblems } from '../features/cilium/chart-validation.js';
import { CILIUM_VALUE_RULES } from '../features/cilium/helm-value-rules.js';
import { assertHelmValues, mergeHelmValues, type HelmValues } from '../kubernetes/helm-value-overrides.js';
import { CILIUM_CHART } from '../versions.js';
import { CILIUM_RELEASE } from '../cluster-mesh/mesh-ca.js';
import type { FeatureCni } from '../features/built-in.js';
import { SPIRE_STORAGE_CLASS } from '../features/spire/storage-class.js';

// The Gateway API CRDs' URL and SPIRE's StorageClass live with their feature modules.
export { gatewayApiCrdsUrl } from '../features/gateway-api/versions.js';
export { SPIRE_STORAGE_CLASS };

export interface CniStackProps {
  readonly settings: StackSettings;
  readonly cluster: ClusterAccess;
  /** Everything but the API server host, which comes from the cluster stack. */
  readonly cilium: Omit<CiliumValuesInput, 'apiServerHost' | 'spireStorageClass'>;
  /**
   * Chart values deep-merged last over the computed ones (the config's helm_values.cilium):
   * keys of the pinned chart that no config field decides. @default none
   */
  readonly helmValues?: HelmValues;
  /**
   * The resources of built-in features Cilium needs before it starts (the Gateway API CRDs, the
   * Cluster Mesh CA imported from Secrets Manager, SPIRE's StorageClass), created in this order;
   * the Cilium release depends on them. @default none
   */
  readonly features?: readonly FeatureCni[];
}

/** What Cilium's values need from the features of the CNI stack: a feature's name, by the input that needs it. */
const NEEDED_FEATURES = [
  { input: 'gatewayApi', feature: 'gateway-api', why: "the Gateway API CRDs before Cilium's Gateway controller starts" },
  { input: 'mutualAuth', feature: 'spire', why: "the StorageClass of SPIRE's server volume" },
] as const;

/**
 * Cilium, installed after the control plane and before any node: nodes then join with a
 * CNI ready and never sit NotReady. Nothing here waits for pods (there are no nodes yet).
 */
export class CniStack extends EnvironmentStack {
  readonly cilium: Release;

  constructor(scope: Construct, props: CniStackProps) {
    super(scope, 'cni', props.settings, { aws: 'none', kubernetes: props.cluster });

    const computed = ciliumValues({ ...props.cilium, apiServerHost: props.cluster.endpointHost, spireStorageClass: SPIRE_STORAGE_CLASS });
    const problems = ciliumValuesProblems(computed);
    if (problems.length > 0) throw new Error(`Cilium values the pinned chart ${CILIUM_CHART.version} would refuse:\n  ${problems.join('\n  ')}`);
    assertHelmValues(CILIUM_VALUE_RULES, props.helmValues, computed);
    const values = mergeHelmValues(computed, props.helmValues);
    const merged = props.helmValues ? ciliumValuesSchemaAndRuleProblems(values) : [];
    if (merged.length > 0) throw new Error(`${props.cilium.clusterName}: helm_values.cilium: chart cilium ${CILIUM_CHART.version} would refuse the values merged over the platform's:\n  ${merged.join('\n  ')}`);

    const features = props.features ?? [];
    for (const { input, feature, why } of NEEDED_FEATURES) {
      if (props.cilium[input] && !features.some((entry) => entry.name === feature)) throw new Error(`${this.node.id}: cilium.${input} needs the ${feature} feature (features): ${why}`);
    }
    const prerequisites: ITerraformDependable[] = features.flatMap((feature) => [...feature.deploy(this, props.cluster)]);

    this.cilium = new Release(this, 'cilium', {
      name: CILIUM_RELEASE.name,
      namespace: CILIUM_RELEASE.namespace,
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
