/**
 * Rules that both the config schema (with file, line and field) and the constructs (on their
 * props) enforce: the values and reasons live here once, so the two cannot drift.
 */

/** The service CIDR every cluster is given (EKS kubernetes_network_config); pod CIDRs must not overlap it. */
export const SERVICE_IPV4_CIDR = '172.20.0.0/16';

/** Why a public API endpoint needs allowed CIDRs. */
export const PUBLIC_ENDPOINT_NEEDS_CIDRS = 'the API server is never open to the whole internet by default';

/** True when a public endpoint would be opened without a CIDR to restrict it to. */
export function publicEndpointWithoutCidrs(endpointPublic: boolean, publicCidrs: readonly string[]): boolean {
  return endpointPublic && publicCidrs.length === 0;
}

/** Why Cilium network policies need Cilium as the CNI. */
export const CILIUM_POLICIES_NEED_CILIUM = 'Cilium policies do nothing with the AWS VPC CNI';
