/**
 * Cilium ENI IPAM settings that pod capacity depends on. The Cilium Helm values and the
 * max-pods computation both read them from here, so the two can never disagree.
 *
 * firstInterfaceIndex 0: Cilium allocates pod IPs on every ENI, the primary included, as
 * the AWS VPC CNI does (chart key `eni.nodeSpec.firstInterfaceIndex`, Cilium 1.19).
 */
export const CILIUM_ENI_FIRST_INTERFACE_INDEX = 0;
