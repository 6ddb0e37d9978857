import { defineFeature } from '../feature.js';
import { karpenterAddon } from '../../karpenter/karpenter-addon.js';
import { karpenterSettings } from './config.js';
import { KARPENTER_RULES } from './rules.js';

/**
 * Karpenter: its config (`karpenter`, config.ts), its cross-field rules (rules.ts) and its
 * Kubernetes side (the controller, its CRDs, the EC2NodeClass and NodePools in the platform
 * stack). Its plan (`plan.karpenter`, read by the IP budget: src/plan/) and AWS side (compute
 * stack, src/karpenter/) are not in this folder yet.
 */
export const feature = defineFeature({
  name: 'karpenter',
  config: { top: { karpenter: karpenterSettings }, after: 'min_pods_per_node' },
  rules: KARPENTER_RULES,
  enabledIn: (config: { readonly karpenter: { readonly enabled: boolean } }) => config.karpenter.enabled,
  releaseNames: ['karpenter-crd', 'karpenter-node-pools'],
  plan: (_config: unknown, { core }) => core.karpenter,
  stack: 'platform',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  addon: (plan, { core, stacks }) => {
    const infrastructure = stacks.compute.karpenter;
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
