import { regionalClusterName, regionalConfig, type MultiRegionConfig } from '../config/multi-region-schema.js';
import type { StackSettings } from '../stacks/environment-stack.js';
import { TRANSIT_GATEWAY_MTU } from '../cluster-mesh/path-mtu.js';
import { baseTags, planPlatform, planStateBootstrap, type PlanOptions, type PlatformPlan, type StateBootstrapPlan } from './platform-plan.js';

/** The plan of a multi-region environment: one cluster per region, and what the mesh shares. */
export interface MultiRegionPlan {
  readonly environment: string;
  /** The account's state bucket stack, unless the bucket exists already (`state.bootstrap: existing`). */
  readonly state?: StateBootstrapPlan;
  readonly regions: ReadonlyArray<{ readonly region: string; readonly clusterId: number; readonly plan: PlatformPlan }>;
  /** The global stack of the mesh: Transit Gateway peering, private zone, CA. Absent without a mesh. */
  readonly mesh?: MeshPlan;
}

export interface MeshPlan {
  /** Settings of the global stack (its state key uses `global` as region; `protected`: prevent_destroy on the CA and zone). */
  readonly settings: StackSettings;
  /** The private zone that names every clustermesh API server. */
  readonly zoneName: string;
  /** Secrets Manager name of the shared CA. */
  readonly caSecretName: string;
}

/** The private zone that names every clustermesh API server of an environment. */
export function meshZoneName(config: Pick<MultiRegionConfig, 'name'>): string {
  return `mesh.${config.name}.internal`;
}

/**
 * One plan per region (stacks `<env>-<region>-<stack>`), and with Cluster Mesh each cluster's
 * membership: its id, the DNS names of its peers, the shared CA, and more than one
 * clustermesh API server where the environment is protected.
 */
export function planMultiRegion(config: MultiRegionConfig, options: Pick<PlanOptions, 'today'> = {}): MultiRegionPlan {
  const mesh = config.cluster_mesh.enabled;
  const zoneName = meshZoneName(config);
  const caSecret = { secretId: `${config.name}/cilium-cluster-mesh-ca`, region: config.state.region };
  const address = (region: string) => `${regionalClusterName(config, region)}.${zoneName}`;

  const regions = config.regions.map((entry) => {
    const clusterName = regionalClusterName(config, entry.region);
    const peers = config.regions.filter((peer) => peer.region !== entry.region);
    const plan = planPlatform(regionalConfig(config, entry), {
      today: options.today,
      stackPrefix: clusterName,
      clusterName,
      clusterMesh: mesh
        ? {
            membership: {
              clusterId: entry.cluster_id,
              address: address(entry.region),
              peers: peers.map((peer) => ({ name: regionalClusterName(config, peer.region), address: address(peer.region) })),
              apiServerReplicas: config.protect_stateful_resources ? 2 : 1,
              // Its own nodes and every peer's (agents connect from the node network).
              apiServerClientCidrs: [entry.vpc_cidr, ...peers.map((peer) => peer.vpc_cidr)],
              // Members reach each other through Transit Gateway peering (MeshGlobalStack).
              pathMtu: TRANSIT_GATEWAY_MTU,
            },
            peerVpcCidrs: peers.map((peer) => peer.vpc_cidr),
            caSecret,
            dns: { zoneName, recordName: address(entry.region) },
          }
        : undefined,
    });
    return { region: entry.region, clusterId: entry.cluster_id, plan };
  });

  return {
    environment: config.name,
    state: planStateBootstrap(config),
    regions,
    mesh: mesh
      ? {
          settings: { ...regions[0]!.plan.settings, stackPrefix: config.name, region: config.state.region, tags: baseTags(config, config.name) },
          zoneName,
          caSecretName: caSecret.secretId,
        }
      : undefined,
  };
}
