import { cidrSubnet } from './cidr.js';

/**
 * The tag that marks the private subnets (AWS's role tag for internal load balancers): the
 * AWS Load Balancer Controller places internal NLBs there, and Cilium's ENI mode allocates pod
 * ENIs only there (routed through NAT and, in a Cluster Mesh, Transit Gateway).
 */
export const PRIVATE_SUBNET_TAG = { key: 'kubernetes.io/role/internal-elb', value: '1' } as const;

export interface ZoneSubnets {
  readonly zone: string;
  readonly privateCidr: string;
  readonly publicCidr: string;
}

/**
 * Carves a VPC CIDR into one private and one public subnet per zone.
 *
 * The VPC is split into 2^n equal blocks (n the bits needed for zones + 1): block i is the
 * private subnet of zone i (large: in Cilium ENI mode every pod takes an address from it);
 * the last block is split the same way again for the public subnets (load balancers and
 * NAT only). A /16 with three zones gives private /18s and public /20s.
 */
export function planSubnets(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  const bits = Math.ceil(Math.log2(zones.length + 1));
  const publicBlock = cidrSubnet(vpcCidr, bits, 2 ** bits - 1);
  return zones.map((zone, index) => ({
    zone,
    privateCidr: cidrSubnet(vpcCidr, bits, index),
    publicCidr: cidrSubnet(publicBlock, bits, index),
  }));
}
