import { z } from 'zod';
import type { PlatformAddon } from '../../addons/addon.js';
import { defineFeature } from '../feature.js';
import { AWS_LOAD_BALANCER_CONTROLLER_COMPATIBILITY } from './compatibility.js';
import { LOAD_BALANCER_CONTROLLER_ADDON, loadBalancerControllerAddon } from './load-balancer-controller-addon.js';
import type { LoadBalancerScheme } from './service-annotations.js';
import { LOAD_BALANCER_CONTROLLER_VALUE_RULES } from './helm-value-rules.js';
import { LOAD_BALANCER_CONTROLLER_IDENTITY } from './identity.js';

const loadBalancers = z
  .strictObject({
    default_scheme: z
      .enum(['internal', 'internet-facing'])
      .default('internal')
      .describe(
        'Scheme of the NLBs the AWS Load Balancer Controller creates for Cilium Gateways and your Services of type LoadBalancer that name none (annotation service.beta.kubernetes.io/aws-load-balancer-scheme, or a Gateway\'s spec.infrastructure.annotations). internal: reachable from the VPC and networks routed to it (Cluster Mesh peers); internet-facing: from the internet, in the public subnets. The clustermesh API server is always internal. Default: internal.',
      ),
  })
  .prefault({})
  .describe('Load balancers for Services of type LoadBalancer, all made by the AWS Load Balancer Controller (docs/LOAD_BALANCERS.md).');

/** Add-ons that create Services of type LoadBalancer come after the controller whose webhook makes them NLBs. */
export function afterLoadBalancerController(addon: PlatformAddon): PlatformAddon {
  return { ...addon, dependsOn: [...(addon.dependsOn ?? []), LOAD_BALANCER_CONTROLLER_ADDON] };
}

/** The AWS Load Balancer Controller, on every cluster: no Service of type LoadBalancer is left to the in-tree Classic ELB controller. */
export const feature = defineFeature({
  name: LOAD_BALANCER_CONTROLLER_ADDON,
  config: { top: { load_balancers: loadBalancers }, after: 'platform' },
  // Every cluster: no Service of type LoadBalancer is left to the in-tree Classic ELB controller.
  enabledIn: () => true,
  helmValues: { charts: [{ rules: LOAD_BALANCER_CONTROLLER_VALUE_RULES, installed: 'every cluster' }] },
  // Its role is made in the cluster stack (ClusterStack.loadBalancerController).
  controllerRoles: [LOAD_BALANCER_CONTROLLER_IDENTITY],
  components: () => [AWS_LOAD_BALANCER_CONTROLLER_COMPATIBILITY],
  plan: (config: { readonly load_balancers: { readonly default_scheme: LoadBalancerScheme } }) => ({ defaultScheme: config.load_balancers.default_scheme }),
  stack: 'platform',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  addon: (plan, { core, stacks }) =>
    loadBalancerControllerAddon({
      clusterName: core.clusterName,
      region: core.settings.region,
      vpcId: stacks.network.vpc.vpcId,
      defaultScheme: plan.defaultScheme,
      helmValues: core.helmValues.aws_load_balancer_controller,
    }),
});
