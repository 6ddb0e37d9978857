import { ciliumEnabledBy } from '../../networking/decision.js';
import { defineFeature } from '../feature.js';
import { afterLoadBalancerController } from '../load-balancer-controller/feature.js';
import { clusterMeshDnsAddon } from './cluster-mesh-dns.js';

/** The clustermesh API server's stable name in the mesh zone, on clusters of a Cluster Mesh (multi-region plan). */
export const feature = defineFeature({
  name: 'cluster-mesh-dns',
  // A region of a multi-region config (its cluster_mesh) with Cilium.
  enabledIn: (config: { readonly cluster_mesh?: { readonly enabled?: boolean }; readonly enable_cilium: boolean; readonly enable_fargate: boolean }): boolean =>
    config.cluster_mesh?.enabled === true && ciliumEnabledBy(config),
  plan: (_config: unknown, { clusterMesh }) => clusterMesh?.dns,
  stack: 'platform',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  // The record reads the NLB the controller creates for the clustermesh API server.
  addon: (plan) => afterLoadBalancerController(clusterMeshDnsAddon(plan)),
});
