import { defineFeature } from '../feature.js';
import { karpenterAddon } from '../../karpenter/karpenter-addon.js';
import { KarpenterInfrastructure } from '../../karpenter/karpenter-infrastructure.js';
import { karpenterSettings, type KarpenterSettings } from './config.js';
import { KARPENTER_RULES } from './rules.js';
import { karpenterComponents } from './compatibility.js';
import { karpenterIpBudgetSources, planKarpenter } from './plan.js';
import { KARPENTER_IDENTITY } from './identity.js';
import { KARPENTER_CRD_VALUE_RULES, KARPENTER_VALUE_RULES } from '../../karpenter/helm-value-rules.js';

const KARPENTER_OFF = 'Karpenter is off (karpenter.enabled: false)';

/**
 * Karpenter: its config (`karpenter`, config.ts), its cross-field rules (rules.ts), its
 * compatibility entries, its plan step (plan.ts: `plan.features.karpenter`, whose pools the pod IP
 * budget counts) and its Kubernetes side (the controller, its CRDs, the EC2NodeClass and NodePools
 * in the platform stack) and its AWS side (roles, interruption queue and event rules in the compute
 * stack). The constructs both sides create are in src/karpenter/.
 */
export const feature = defineFeature({
  name: 'karpenter',
  config: { top: { karpenter: karpenterSettings }, after: 'min_pods_per_node' },
  rules: KARPENTER_RULES,
  enabledIn: (config: { readonly karpenter: { readonly enabled: boolean } }) => config.karpenter.enabled,
  // Right after Cilium's chart, as before the keys were the module's.
  helmValues: {
    charts: [
      { rules: KARPENTER_VALUE_RULES, installed: 'the controller, with karpenter.enabled', off: KARPENTER_OFF },
      { rules: KARPENTER_CRD_VALUE_RULES, installed: "Karpenter's CRDs, with karpenter.enabled", off: KARPENTER_OFF },
    ],
    after: 'cilium',
  },
  controllerRoles: [KARPENTER_IDENTITY],
  releaseNames: ['karpenter-crd', 'karpenter-node-pools'],
  components: (config: { readonly karpenter: KarpenterSettings }) => karpenterComponents(config.karpenter),
  // Right after the core platform's (Cilium, Gateway API), as before it became a module.
  componentsAfter: 'core',
  plan: (config: { readonly karpenter: KarpenterSettings }, { core }) => planKarpenter(config, core),
  ipBudgetSources: karpenterIpBudgetSources,
  stack: 'platform',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  // Its AWS side at compute/karpenter, where it was before it became a module.
  compute: (plan, { scope, core }) =>
    new KarpenterInfrastructure(scope, 'karpenter', {
      // The literal name: tag keys in its IAM conditions need it at synth time, not a token.
      clusterName: core.clusterName,
      region: core.settings.region,
      accountId: core.settings.accountId,
      createSpotServiceLinkedRole: plan.createSpotServiceLinkedRole,
      extraStatements: core.extraStatements.karpenter,
    }),
  identities: (infrastructure) => ({ karpenter: infrastructure.controllerRole.arn }),
  addon: (plan, { core, infrastructure }) => {
    if (!infrastructure) throw new Error('karpenter: the compute stack has no Karpenter infrastructure for a plan with Karpenter');
    return karpenterAddon({
      ...plan.nodeClass,
      interruptionQueueName: infrastructure.queue.name,
      reservedEnis: plan.reservedEnis,
      pools: plan.pools,
      helmValues: { controller: core.helmValues.karpenter, crds: core.helmValues.karpenter_crd },
    });
  },
});
