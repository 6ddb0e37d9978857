import { type Construct } from 'constructs';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import { Vpc } from '../constructs/vpc.js';

export interface NetworkStackProps {
  readonly settings: StackSettings;
  /** The cluster whose discovery tags (load balancers, Karpenter) the subnets carry. */
  readonly clusterName: string;
  /** /16 to /20; a public and a private subnet per zone are carved from it (lib/subnet-plan.ts). */
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** One NAT gateway for the VPC, or one per zone (no cross-zone dependency). */
  readonly natGateways: 'single' | 'one_per_zone';
}

/** The VPC of one cluster. Longest-lived state: deployed first, changed rarely. */
export class NetworkStack extends EnvironmentStack {
  readonly vpc: Vpc;

  constructor(scope: Construct, props: NetworkStackProps) {
    super(scope, 'network', props.settings);
    this.vpc = new Vpc(this, 'vpc', {
      name: props.clusterName,
      cidr: props.vpcCidr,
      availabilityZones: props.availabilityZones,
      natGateways: props.natGateways,
      clusterName: props.clusterName,
    });
  }
}
