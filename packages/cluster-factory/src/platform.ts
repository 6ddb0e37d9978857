import type { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { planPlatform, planStateBootstrap, type PlatformPlan } from './plan/platform-plan.js';
import type { EnvironmentConfig } from './config/schema.js';
import { StateBucketStack } from './stacks/state-bucket-stack.js';
import { NetworkStack } from './stacks/network-stack.js';
import { ClusterStack } from './stacks/cluster-stack.js';
import { ComputeStack } from './stacks/compute-stack.js';
import { CniStack } from './stacks/cni-stack.js';
import { PlatformAddonsStack } from './stacks/platform-addons-stack.js';
import type { PlatformAddon } from './addons/addon.js';
import { featureAddons, featureClusters, featureCnis, featureComputes, featureIdentities } from './features/built-in.js';
import { userAddon } from './addons/user-addons.js';

export interface EnvironmentPlatformOptions {
  /**
   * Add-ons written in code beyond those the plan selects, given the platform so far. They
   * count as the platform's: the config's user_addons come after them. @default none
   */
  readonly additionalAddons?: (platform: EnvironmentPlatform) => PlatformAddon[];
}

/**
 * The stacks of one environment in one region, built from its plan, in deployment order:
 * network -> cluster -> cni (with Cilium) -> compute -> platform.
 * Cross-stack references become S3 remote state.
 */
export class EnvironmentPlatform {
  readonly plan: PlatformPlan;
  readonly network: NetworkStack;
  readonly cluster: ClusterStack;
  readonly compute: ComputeStack;
  readonly cni?: CniStack;
  readonly platform: PlatformAddonsStack;

  constructor(scope: Construct, plan: PlatformPlan, options: EnvironmentPlatformOptions = {}) {
    this.plan = plan;
    const { settings, clusterName, networking } = plan;

    this.network = new NetworkStack(scope, { settings, clusterName, ...plan.network });
    this.cluster = new ClusterStack(scope, {
      settings,
      clusterName,
      networking,
      ...plan.controlPlane,
      vpcId: this.network.vpc.vpcId,
      privateSubnetIds: this.network.vpc.privateSubnetIds,
      protectStatefulResources: settings.protected,
      meshPeerCidrs: plan.clusterMesh?.peerVpcCidrs,
      extraStatements: plan.extraStatements,
      features: featureClusters(plan.features, plan),
    });
    const cniFeatures = featureCnis(plan.features, plan);
    if (plan.cilium) {
      this.cni = new CniStack(scope, { settings, cluster: this.cluster.access, features: cniFeatures });
    } else if (cniFeatures.length > 0) {
      throw new Error(`${clusterName}: ${cniFeatures.map((feature) => feature.name).join(', ')} belong to the CNI stack, which exists only with Cilium`);
    }
    this.compute = new ComputeStack(scope, {
      settings,
      clusterName: this.cluster.clusterName,
      kubernetesVersion: plan.controlPlane.kubernetesVersion,
      networking,
      privateSubnetIds: this.network.vpc.privateSubnetIds,
      clusterSecurityGroupId: this.cluster.controlPlane.cluster.vpcConfig.clusterSecurityGroupId,
      nodeSecurityGroupId: this.cluster.nodeSecurityGroup.securityGroupId,
      nodeGroups: plan.nodeGroups,
      fargateProfiles: plan.fargateProfiles,
      cniStack: this.cni,
      addons: plan.nodeAddons,
      features: featureComputes(plan.features, plan),
    });
    const stacks = { network: this.network, cluster: this.cluster, compute: this.compute };
    for (const warning of plan.warnings) Annotations.of(stacks[warning.stack]).addWarning(warning.message);

    const platformAddons = [
      // The built-in features in the registry's order (src/features/registry.ts).
      ...featureAddons(plan.features, { core: plan, stacks: { network: this.network, cluster: this.cluster, compute: this.compute, cni: this.cni } }),
      ...(options.additionalAddons?.(this) ?? []),
    ];
    // The platform team's add-ons from the config come after every add-on above.
    const platformNames = platformAddons.map((addon) => addon.name);
    const addons = [...platformAddons, ...plan.userAddons.map((addon) => userAddon(addon, platformNames))];
    this.platform = new PlatformAddonsStack(scope, {
      settings,
      cluster: this.cluster.access,
      clusterInfo: {
        clusterName,
        region: settings.region,
        accountId: settings.accountId,
        environment: plan.environment,
        networking,
        identities: { ...featureIdentities(this.cluster.features), ...featureIdentities(this.compute.features) },
      },
      addons,
    });
    this.platform.addDependency(this.compute);
  }
}

export interface SingleRegionPlatform {
  /** The account's state bucket stack; absent when the bucket exists already (`state.bootstrap: existing`). */
  readonly state?: StateBucketStack;
  readonly platform: EnvironmentPlatform;
}

/**
 * A single-region environment (sandbox, prod): its account's state bucket stack (unless it
 * exists) and its cluster's stacks (support warnings judged on `context.today`). An app adds
 * add-ons written in code with `context.additionalAddons`; the config's own come after them.
 */
export function defineSingleRegion(scope: Construct, config: EnvironmentConfig, context: { readonly today?: string } & EnvironmentPlatformOptions = {}): SingleRegionPlatform {
  const state = planStateBootstrap(config);
  return {
    state: state && new StateBucketStack(scope, state),
    platform: new EnvironmentPlatform(scope, planPlatform(config, { today: context.today }), { additionalAddons: context.additionalAddons }),
  };
}
