import type { Construct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ClusterInfo, PlatformAddon } from '../addons/addon.js';
import { helmValues } from '../lib/private/helm.js';
import { firstRepeated } from '../lib/private/names.js';
import { KARPENTER_CHART, KARPENTER_CRD_CHART } from '../features/karpenter/versions.js';
import { KARPENTER_SERVICE_ACCOUNT } from './karpenter-infrastructure.js';
import { karpenterNodeClass, karpenterNodePool, type KarpenterNodeClassProps, type KarpenterPool } from './node-pools.js';
import { ManifestChart } from '../kubernetes/manifest-chart.js';
import { celRulesNotCheckedNote, crdRuleCoverage } from '../kubernetes/crd-schema.js';
import { recordCrdRuleCoverage } from '../policy/not-checked.js';
import { assertHelmValues, mergeHelmValues, type HelmValues } from '../kubernetes/helm-value-overrides.js';
import { KARPENTER_CRD_VALUE_RULES, KARPENTER_VALUE_RULES } from './helm-value-rules.js';

export interface KarpenterAddonProps extends KarpenterNodeClassProps {
  /** Name of the SQS queue EventBridge feeds with interruption events (KarpenterInfrastructure). */
  readonly interruptionQueueName: string;
  /** ENIs Karpenter must not count for pods (Cilium's eni.nodeSpec.firstInterfaceIndex). */
  readonly reservedEnis: number;
  /** The NodePools, at least one, each with its own name. */
  readonly pools: readonly KarpenterPool[];
  /**
   * Chart values deep-merged last over the computed ones (the config's helm_values.karpenter and
   * helm_values.karpenter_crd), checked against each pinned chart. @default none
   */
  readonly helmValues?: { readonly controller?: HelmValues; readonly crds?: HelmValues };
}

/** The props' own invariants, checked before any resource is created. */
function validate(props: KarpenterAddonProps): void {
  if (Token.isUnresolved(props.clusterName)) throw new Error('karpenter add-on: clusterName must be the literal cluster name, not a token (it is written into plain YAML)');
  if (props.pools.length === 0) throw new Error('karpenter add-on: pools must list at least one NodePool');
  const twice = firstRepeated(props.pools.map((pool) => pool.name));
  if (twice !== undefined) throw new Error(`karpenter add-on: the NodePool name "${twice}" is used twice`);
}

/**
 * The Karpenter controller chart's values (every key exists in the chart: test/karpenter-upstream.test.ts).
 * AWS_REGION: the controller asks IMDS for its region when the SDK config has none
 * (pkg/operator/operator.go at v1.14.1); EKS Pod Identity sets only the credential variables,
 * and the nodes allow one IMDS hop, which a pod's request does not survive.
 */
export function karpenterControllerValues(props: Pick<KarpenterAddonProps, 'clusterName' | 'interruptionQueueName' | 'reservedEnis'> & { readonly region: string }): object {
  return {
    serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT.name },
    controller: { env: [{ name: 'AWS_REGION', value: props.region }] },
    settings: { clusterName: props.clusterName, interruptionQueue: props.interruptionQueueName, reservedENIs: String(props.reservedEnis) },
    replicas: 2,
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'eks.amazonaws.com/nodegroup', operator: 'Exists' },
                { key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' },
              ],
            },
          ],
        },
      },
    },
  };
}

/**
 * Karpenter: its CRDs (karpenter-crd chart, so they upgrade), the controller (on the managed
 * node group, never on nodes it manages) and the EC2NodeClass and NodePools, built as typed
 * objects and shipped as plain YAML (ManifestChart) so they plan without a live API.
 */
export function karpenterAddon(props: KarpenterAddonProps): PlatformAddon {
  validate(props);
  return {
    name: 'karpenter',
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const crdValues = props.helmValues?.crds;
      assertHelmValues(KARPENTER_CRD_VALUE_RULES, crdValues, {});
      const crds = new Release(scope, 'karpenter-crd', {
        name: 'karpenter-crd',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        repository: KARPENTER_CRD_CHART.repository,
        chart: KARPENTER_CRD_CHART.chart,
        version: KARPENTER_CRD_CHART.version,
        ...(crdValues ? helmValues(crdValues) : {}),
      });
      const computed = karpenterControllerValues({ ...props, region: cluster.region });
      assertHelmValues(KARPENTER_VALUE_RULES, props.helmValues?.controller, computed);
      const controller = new Release(scope, 'karpenter', {
        name: 'karpenter',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        repository: KARPENTER_CHART.repository,
        chart: KARPENTER_CHART.chart,
        version: KARPENTER_CHART.version,
        // The chart's crds/ directory would be installed once and never upgraded: karpenter-crd owns them.
        skipCrds: true,
        ...helmValues(mergeHelmValues(computed, props.helmValues?.controller)),
        wait: true,
        dependsOn: [crds],
      });
      const datapath = { ciliumEnabled: cluster.networking.ciliumEnabled, ciliumEni: props.ciliumEni ?? false };
      const objects = [karpenterNodeClass(props), ...props.pools.map((pool) => karpenterNodePool(pool, datapath))];
      const chart = new ManifestChart(scope, 'karpenter-node-pools-chart', {
        name: 'karpenter-node-pools',
        description: 'The EC2NodeClass and NodePools of this cluster (cluster-factory src/karpenter/node-pools.ts).',
        objects,
      });
      // Rules synth cannot evaluate (transition rules) are named, never counted as held: in the
      // synth's info line and, per object, in policy-report.json (and so in the plan review).
      const coverage = crdRuleCoverage(objects);
      const notChecked = celRulesNotCheckedNote(coverage);
      if (notChecked) Annotations.of(chart).addInfo(notChecked);
      const nodePools = new Release(scope, 'karpenter-node-pools', {
        name: 'karpenter-node-pools',
        namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
        chart: chart.path,
        dependsOn: [controller],
      });
      recordCrdRuleCoverage(nodePools, coverage);
      return [crds, controller, nodePools];
    },
  };
}
