/**
 * The MTU of the path Cluster Mesh traffic takes, and what Cilium makes of it.
 *
 * - Transit Gateway: "A transit gateway supports an MTU of 8500 bytes for traffic between VPCs,
 *   AWS Direct Connect, Transit Gateway Connect, and peering attachments (intra-Region,
 *   inter-Region ...)" (Amazon VPC Transit Gateways, "What is AWS Transit Gateway", concepts);
 *   larger packets are dropped, and the pods' MTU is not lowered by any ICMP the gateway may send
 *   about the outer (encapsulated) packet.
 * - EC2: current-generation instances use jumbo frames, 9001 bytes (EC2 User Guide, "Network
 *   maximum transmission unit (MTU) for your EC2 instance"); Cilium takes its MTU from the
 *   device of the default route unless the chart's `MTU` is set.
 * - Cilium (cilium/cilium pkg/mtu/mtu.go): the routes of pods get the base MTU less
 *   WireguardOverhead (80: the 32-byte WireGuard message header, 40 for an outer IPv6 or IPv4
 *   header, 8 for UDP) with WireGuard, and less TunnelOverhead (50: outer IPv4 20, UDP 8,
 *   VXLAN/Geneve 8, inner Ethernet 14) in tunnel mode; the packet on the wire is never larger
 *   than the base MTU.
 */
export const TRANSIT_GATEWAY_MTU = 8500;
export const EC2_JUMBO_MTU = 9001;
export const WIREGUARD_OVERHEAD = 80;
export const TUNNEL_OVERHEAD = 50;

export interface DatapathEncapsulation {
  /** Cilium's `MTU`: the underlying network's; 0 or absent: detected from the device (EC2: 9001). */
  readonly baseMtu?: number;
  readonly wireguard: boolean;
  /** Tunnel routing (overlay mode). */
  readonly tunnel: boolean;
}

/** The MTU Cilium gives pod routes (pkg/mtu/mtu.go, getRouteMTU). */
export function ciliumRouteMtu(datapath: DatapathEncapsulation): number {
  const base = datapath.baseMtu || EC2_JUMBO_MTU;
  return base - (datapath.wireguard ? WIREGUARD_OVERHEAD : 0) - (datapath.tunnel ? TUNNEL_OVERHEAD : 0);
}

/** The largest packet a node puts on the wire for pod traffic: a full pod packet with every encapsulation added. */
export function largestNodePacket(datapath: DatapathEncapsulation): number {
  return ciliumRouteMtu(datapath) + (datapath.wireguard ? WIREGUARD_OVERHEAD : 0) + (datapath.tunnel ? TUNNEL_OVERHEAD : 0);
}
