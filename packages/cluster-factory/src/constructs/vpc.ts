import { Construct } from 'constructs';
import { Vpc as AwsVpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { PRIVATE_SUBNET_TAG, planSubnets } from '../lib/subnet-plan.js';

export interface VpcProps {
  /** Name prefix for every resource (the cluster name). */
  readonly name: string;
  /** VPC CIDR block, /16 to /20. */
  readonly cidr: string;
  /** Zones to spread subnets over, 2 to 4. */
  readonly availabilityZones: readonly string[];
  /**
   * `one_per_zone` keeps egress working when a zone fails; `single` is cheaper.
   * @default 'one_per_zone'
   */
  readonly natGateways?: 'single' | 'one_per_zone';
  /** Cluster name for the discovery tags that EKS load balancers and Karpenter read. */
  readonly clusterName: string;
}

/**
 * A VPC with one public and one private subnet per zone, NAT egress for the private
 * subnets, and a default security group that allows nothing.
 */
export class Vpc extends Construct {
  readonly vpcId: string;
  readonly cidr: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  /** One route table per private subnet, in zone order. */
  readonly privateRouteTableIds: string[];
  /** The synth-time subnet ranges, per zone. */
  readonly subnetPlan: ReturnType<typeof planSubnets>;

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    const natMode = props.natGateways ?? 'one_per_zone';
    this.cidr = props.cidr;
    this.subnetPlan = planSubnets(props.cidr, props.availabilityZones);

    const vpc = new AwsVpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    this.vpcId = vpc.id;

    // No rules: nothing may use the default security group by accident (CKV2_AWS_12).
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, tags: { Name: `${props.name}-default-deny` } });

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: props.name } });
    const publicRoutes = new RouteTable(this, 'public-rt', { vpcId: vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, 'public-default-route', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    const publicSubnets = this.subnetPlan.map(
      (plan, index) =>
        new Subnet(this, `public-${index}`, {
          vpcId: vpc.id,
          availabilityZone: plan.zone,
          cidrBlock: plan.publicCidr,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.name}-public-${plan.zone}`, 'kubernetes.io/role/elb': '1' },
        }),
    );
    publicSubnets.forEach((subnet, index) => new RouteTableAssociation(this, `public-${index}-rta`, { subnetId: subnet.id, routeTableId: publicRoutes.id }));

    const natCount = natMode === 'single' ? 1 : this.subnetPlan.length;
    const nats = Array.from({ length: natCount }, (_, index) => {
      const eip = new Eip(this, `nat-${index}-eip`, { domain: 'vpc', tags: { Name: `${props.name}-nat-${this.subnetPlan[index].zone}` } });
      return new NatGateway(this, `nat-${index}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[index].id,
        tags: { Name: `${props.name}-${this.subnetPlan[index].zone}` },
        dependsOn: [igw],
      });
    });

    const privateRouteTableIds: string[] = [];
    const privateSubnets = this.subnetPlan.map((plan, index) => {
      const subnet = new Subnet(this, `private-${index}`, {
        vpcId: vpc.id,
        availabilityZone: plan.zone,
        cidrBlock: plan.privateCidr,
        tags: {
          Name: `${props.name}-private-${plan.zone}`,
          [PRIVATE_SUBNET_TAG.key]: PRIVATE_SUBNET_TAG.value,
          'karpenter.sh/discovery': props.clusterName,
        },
      });
      const routes = new RouteTable(this, `private-${index}-rt`, { vpcId: vpc.id, tags: { Name: `${props.name}-private-${plan.zone}` } });
      new Route(this, `private-${index}-default-route`, {
        routeTableId: routes.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nats[natMode === 'single' ? 0 : index].id,
      });
      new RouteTableAssociation(this, `private-${index}-rta`, { subnetId: subnet.id, routeTableId: routes.id });
      privateRouteTableIds.push(routes.id);
      return subnet;
    });

    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
    this.privateRouteTableIds = privateRouteTableIds;
  }
}
