import { type Construct } from 'constructs';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import { Vpc } from '../constructs/vpc.js';

export interface NetworkStackProps {
  readonly settings: StackSettings;
  readonly clusterName: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
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
