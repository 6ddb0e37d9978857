import { defineFeature } from '../feature.js';
import { afterLoadBalancerController } from '../load-balancer-controller/feature.js';
import { clusterMeshDnsAddon } from './cluster-mesh-dns.js';

/** The clustermesh API server's stable name in the mesh zone, on clusters of a Cluster Mesh (multi-region plan). */
export const feature = defineFeature({
  name: 'cluster-mesh-dns',
  plan: (_config: unknown, { clusterMesh }) => clusterMesh?.dns,
  stack: 'platform',
  // The record reads the NLB the controller creates for the clustermesh API server.
  addon: (plan) => afterLoadBalancerController(clusterMeshDnsAddon(plan)),
});
