import type { ClusterMeshMembership } from '../features/cilium/values.js';
import type { ClusterMeshDnsProps } from '../features/cluster-mesh-dns/cluster-mesh-dns.js';

/** One cluster's place in a Cilium Cluster Mesh, as the multi-region plan decides it. */
export interface ClusterMeshOptions {
  /** Cluster id, peers and API server replicas, declared in the Cilium values. */
  readonly membership: ClusterMeshMembership;
  /** VPC CIDRs of the other members (node security-group rules). */
  readonly peerVpcCidrs: readonly string[];
  /** The shared CA in Secrets Manager. */
  readonly caSecret: { readonly secretId: string; readonly region: string };
  /** Where this cluster's clustermesh API server is published. */
  readonly dns: ClusterMeshDnsProps;
}
