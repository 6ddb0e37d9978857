import { z } from 'zod';
import { defineFeature } from '../feature.js';
import { afterLoadBalancerController } from '../load-balancer-controller/feature.js';
import { ARGOCD_COMPATIBILITY } from './compatibility.js';
import { argoCdAddon, type ArgoCdRepository } from './argocd.js';
import { ARGOCD_APPS_VALUE_RULES, ARGOCD_VALUE_RULES } from './helm-value-rules.js';

const ARGOCD_OFF = 'Argo CD is off (platform.argocd)';

const argocd = z
  .strictObject({
    enabled: z.boolean().default(true),
    gitops_repo: z.string().regex(/^(https:\/\/|git@)[^\s]+$/, 'must be an https:// or git@ repository URL'),
    revision: z.string().min(1).default('main'),
    path: z.string().min(1).default('clusters').describe('Directory of the ApplicationSet generators in the GitOps repo.'),
  })
  .optional()
  .describe('Argo CD with an ApplicationSet on gitops_repo (GitOps bridge).');

/** The fields of a config the feature reads. */
interface ArgoCdConfig {
  readonly platform: { readonly argocd?: z.output<typeof argocd> };
}

/** Argo CD with the platform ApplicationSet on the GitOps repository (GitOps bridge). */
export const feature = defineFeature({
  name: 'argocd',
  config: { platform: { argocd } },
  enabledIn: (config: ArgoCdConfig) => config.platform.argocd?.enabled === true,
  // Before the load balancer controller's chart, as before the keys were the module's.
  helmValues: {
    charts: [
      { rules: ARGOCD_VALUE_RULES, installed: 'with platform.argocd', off: ARGOCD_OFF },
      { rules: ARGOCD_APPS_VALUE_RULES, installed: "the platform's ApplicationSet, with platform.argocd", off: ARGOCD_OFF },
    ],
    before: 'aws_load_balancer_controller',
  },
  releaseNames: ['platform-applicationsets'],
  components: (config: ArgoCdConfig) => (config.platform.argocd?.enabled ? [ARGOCD_COMPATIBILITY] : []),
  plan: (config: ArgoCdConfig): ArgoCdRepository | undefined =>
    config.platform.argocd?.enabled ? { repoUrl: config.platform.argocd.gitops_repo, revision: config.platform.argocd.revision, path: config.platform.argocd.path } : undefined,
  stack: 'platform',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  // Argo CD syncs Gateways and Services of type LoadBalancer.
  addon: (plan, { core }) => afterLoadBalancerController(argoCdAddon({ ...plan, helmValues: { argocd: core.helmValues.argocd, argocdApps: core.helmValues.argocd_apps } })),
});
