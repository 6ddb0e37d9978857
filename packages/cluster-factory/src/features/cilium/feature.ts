import { ciliumEnabledBy } from '../../networking/decision.js';
import type { ITerraformDependable } from 'cdktf';
import type { ControllerIdentities } from '../../addons/addon.js';
import { defineFeature, type FeatureClusterContext, type FeatureCniContext, type FeatureCorePlanContext } from '../feature.js';
import { CiliumOperatorIdentity } from './cilium-operator-identity.js';
import { CILIUM_COMPATIBILITY } from './compatibility.js';
import { CILIUM_RELEASE } from '../../cluster-mesh/mesh-ca.js';
import { ciliumRelease } from './cilium-release.js';
import { ciliumSettings } from './config.js';
import { CILIUM_VALUE_RULES } from './helm-value-rules.js';
import { CILIUM_OPERATOR_IDENTITY } from './identity.js';
import { CILIUM_RULES } from './rules.js';
import { planCilium, type CiliumPlan, type CiliumPlanConfig } from './plan.js';

/** The fields of a config that turn Cilium on: the central rule `cilium_enabled = enable_cilium && !enable_fargate`. */
interface CiliumSwitch {
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
}

/**
 * Cilium, the only CNI (src/networking/decision.ts decides whether it runs). Its plan step runs
 * before the core plan, which reads it (`CorePlan.cilium`: max pods, the pod IP budget,
 * Karpenter's plan); its release is the CNI stack's last resource, after every other CNI-stack
 * feature's, which it depends on.
 */
// Annotated: the registry's types are read by the schema, which ciliumEnabledBy's parameter type comes from.
const enabled = (config: CiliumSwitch): boolean => ciliumEnabledBy(config);

export const feature = defineFeature({
  name: 'cilium',
  // The `cilium` key keeps its place in the file, after `state`.
  config: { top: { cilium: ciliumSettings }, after: 'state' },
  rules: CILIUM_RULES,
  helmValues: { charts: [{ rules: CILIUM_VALUE_RULES, installed: 'with Cilium', off: 'Cilium is off (enable_cilium: false, or enable_fargate: true)' }] },
  // The operator manages ENIs: its role exists in ENI mode only.
  controllerRoles: [{ ...CILIUM_OPERATOR_IDENTITY, presentIn: (config) => config.cilium_mode === 'eni' }],
  enabledIn: enabled,
  components: (config: CiliumSwitch) => (enabled(config) ? [CILIUM_COMPATIBILITY] : []),
  // First of every component, as when Cilium was the core platform's only one.
  componentsAfter: 'core',
  planBeforeCore: (config: CiliumPlanConfig, context: FeatureCorePlanContext): CiliumPlan | undefined => planCilium(config, context),
  // The operator's role (ENI mode), in the cluster stack at its old address: it exists before any node.
  cluster: (plan: CiliumPlan, { scope, core, clusterName, vpcId }: FeatureClusterContext): CiliumOperatorIdentity | undefined =>
    plan.podCapacity.mode === 'eni'
      ? new CiliumOperatorIdentity(scope, 'cilium-operator', { clusterName, region: core.settings.region, accountId: core.settings.accountId, vpcId, extraStatements: core.extraStatements.cilium_operator })
      : undefined,
  identities: (operator: CiliumOperatorIdentity | undefined): ControllerIdentities => (operator ? { ciliumOperator: operator.role.arn } : {}),
  stack: 'cni',
  // A user add-on may not take the release's name.
  releaseNames: [CILIUM_RELEASE.name],
  // The release kept its address (helm_release.cilium in the CNI stack) when it became a module.
  constructScope: 'stack',
  cniLast: true,
  cni: (plan: CiliumPlan, { scope, cluster, core, earlier }: FeatureCniContext): readonly ITerraformDependable[] => [ciliumRelease(scope, { cluster, values: plan.values, helmValues: core.helmValues.cilium, prerequisites: earlier })],
});
