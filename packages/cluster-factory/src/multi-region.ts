import type { Construct } from 'constructs';
import { EnvironmentPlatform, baseTags, defineStateBootstrap } from './platform.js';
import { MeshGlobalStack } from './stacks/mesh-global-stack.js';
import { regionalClusterName, regionalConfig, type MultiRegionConfig } from './config/multi-region-schema.js';
import type { StateBucketStack } from './stacks/state-bucket-stack.js';

export interface MultiRegionPlatform {
  readonly state: StateBucketStack;
  readonly regions: ReadonlyArray<{ readonly region: string; readonly clusterId: number; readonly platform: EnvironmentPlatform }>;
  readonly global?: MeshGlobalStack;
}

/** The private zone that names every clustermesh API server of an environment. */
export function meshZoneName(config: Pick<MultiRegionConfig, 'name'>): string {
  return `mesh.${config.name}.internal`;
}

/**
 * One cluster per region, each a full EnvironmentPlatform with its own stacks
 * (`<env>-<region>-<stack>`), joined by Cilium Cluster Mesh: peers and cluster ids in the
 * Helm values, a shared CA, and a global stack for Transit Gateway peering and DNS.
 * Deploy order: state, each network, global, then per region cluster -> cni -> compute -> platform.
 */
export function defineMultiRegion(scope: Construct, config: MultiRegionConfig): MultiRegionPlatform {
  const state = defineStateBootstrap(scope, config);
  const mesh = config.cluster_mesh.enabled;
  const zoneName = meshZoneName(config);
  const caSecret = { secretId: `${config.name}/cilium-cluster-mesh-ca`, region: config.state.region };
  const address = (region: string) => `${regionalClusterName(config, region)}.${zoneName}`;

  const regions = config.regions.map((entry) => {
    const clusterName = regionalClusterName(config, entry.region);
    const peers = config.regions.filter((peer) => peer.region !== entry.region);
    const platform = new EnvironmentPlatform(scope, regionalConfig(config, entry), {
      stackPrefix: clusterName,
      clusterName,
      clusterMesh: mesh
        ? {
            membership: {
              clusterId: entry.cluster_id,
              address: address(entry.region),
              peers: peers.map((peer) => ({ name: regionalClusterName(config, peer.region), address: address(peer.region) })),
              apiServerReplicas: config.protect_stateful_resources ? 2 : 1,
            },
            peerVpcCidrs: peers.map((peer) => peer.vpc_cidr),
            caSecret,
            dns: { zoneName, recordName: address(entry.region) },
          }
        : undefined,
    });
    return { region: entry.region, clusterId: entry.cluster_id, platform };
  });

  if (!mesh) return { state, regions };
  const global = new MeshGlobalStack(scope, {
    settings: { ...regions[0]!.platform.settings, stackPrefix: config.name, region: config.state.region, tags: baseTags(config, config.name) },
    regions: regions.map(({ region, platform }) => ({ region, clusterName: platform.clusterName, vpcCidr: platform.network.vpc.cidr, network: platform.network })),
    zoneName,
    caSecretName: caSecret.secretId,
    protectStatefulResources: config.protect_stateful_resources,
  });
  // The CA and the peering must exist before any cluster joins the mesh.
  for (const { platform } of regions) {
    platform.cni?.addDependency(global);
    platform.platform?.addDependency(global);
  }
  return { state, regions, global };
}
