import type { Construct } from 'constructs';
import { EnvironmentPlatform, type EnvironmentPlatformOptions } from '../platform.js';
import { MeshGlobalStack } from './mesh-global-stack.js';
import { StateBucketStack } from '../stacks/state-bucket-stack.js';
import { planMultiRegion, type MultiRegionPlan } from '../plan/multi-region-plan.js';
import type { MultiRegionConfig } from '../config/multi-region-schema.js';

export interface MultiRegionPlatform {
  /** Absent when the bucket exists already (`state.bootstrap: existing`). */
  readonly state?: StateBucketStack;
  readonly regions: ReadonlyArray<{ readonly region: string; readonly clusterId: number; readonly platform: EnvironmentPlatform }>;
  readonly global?: MeshGlobalStack;
}

/**
 * One cluster per region, each a full EnvironmentPlatform with its own stacks
 * (`<env>-<region>-<stack>`), joined by Cilium Cluster Mesh: peers and cluster ids in the
 * Helm values, a shared CA, and a global stack for Transit Gateway peering and DNS.
 * Deploy order: state, each network, global, then per region cluster -> cni -> compute -> platform.
 */
export function defineMultiRegion(scope: Construct, plan: MultiRegionPlan, options: EnvironmentPlatformOptions = {}): MultiRegionPlatform {
  const state = plan.state && new StateBucketStack(scope, plan.state);
  const regions = plan.regions.map(({ region, clusterId, plan: regional }) => ({ region, clusterId, platform: new EnvironmentPlatform(scope, regional, options) }));
  if (!plan.mesh) return { state, regions };
  const global = new MeshGlobalStack(scope, {
    ...plan.mesh,
    protectStatefulResources: plan.mesh.settings.protected,
    regions: regions.map(({ region, platform }) => ({ region, clusterName: platform.plan.clusterName, vpcCidr: platform.network.vpc.cidr, network: platform.network })),
  });
  // The CA and the peering must exist before any cluster joins the mesh.
  for (const { platform } of regions) {
    platform.cni?.addDependency(global);
    platform.platform?.addDependency(global);
  }
  return { state, regions, global };
}

/**
 * A multi-region environment from its validated config: planned (support warnings judged on
 * `context.today`), then built; `context.additionalAddons` go to every region's platform stack.
 */
export function defineMultiRegionEnvironment(scope: Construct, config: MultiRegionConfig, context: { readonly today?: string } & EnvironmentPlatformOptions = {}): MultiRegionPlatform {
  return defineMultiRegion(scope, planMultiRegion(config, { today: context.today }), { additionalAddons: context.additionalAddons });
}
