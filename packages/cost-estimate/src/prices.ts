import { INSTANCE_DATA } from '@cilium-eks/cluster-factory/instance-types';
import { EKS_CONTROL_PLANE_PRICES } from '@cilium-eks/cluster-factory/lifecycle';
import { EC2_PRICES_SOURCE, EC2_US_EAST_1_ON_DEMAND } from './ec2-prices.js';

/**
 * Public AWS list prices (USD), per region, for what the synthesized stacks create.
 *
 * EC2 on-demand (us-east-1; us-west-2 is assumed to list the same Linux on-demand prices, as
 * it did for every type priced here before): ec2-prices.ts, every type of the instance table, derived from
 * Karpenter's copy of the AWS Price List API with the time it was generated (EC2_PRICES_SOURCE;
 * docs/INSTANCE_TYPES.md). Everything else, and eu-west-1's EC2 prices: the AWS pricing pages
 * listed in `PRICE_SOURCES`, as published in 2025, written down from those pages, not fetched
 * (this repository builds without internet), and NOT re-checked online when committed
 * (2026-11-23). Prices change; re-check them (`aws pricing get-products --service-code
 * AmazonEC2 ...`) before a budget decision, and update the date with the figures. A type or
 * region missing here is reported as not priced, never priced as zero.
 */

export const PRICES_AS_OF = `EC2 on-demand in us-east-1 and us-west-2 from ${EC2_PRICES_SOURCE}; everything else 2025 (AWS public list prices; not re-checked online when committed on 2026-11-23)`;

export const PRICE_SOURCES: Readonly<Record<string, string>> = {
  eks: 'https://aws.amazon.com/eks/pricing/',
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  spot: 'https://aws.amazon.com/ec2/spot/pricing/',
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  transitGateway: 'https://aws.amazon.com/transit-gateway/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  secretsManager: 'https://aws.amazon.com/secrets-manager/pricing/',
  route53: 'https://aws.amazon.com/route53/pricing/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
};

export interface RegionPrices {
  /** EKS cluster whose Kubernetes version is in standard support. */
  readonly eksClusterHour: number;
  /** EKS cluster whose version is in extended support (the whole hourly price, not the surcharge). */
  readonly eksClusterExtendedHour: number;
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  /** Per attachment (VPC or peering), per hour. */
  readonly transitGatewayAttachmentHour: number;
  readonly transitGatewayGb: number;
  /** Network Load Balancer hour (LCUs not included). */
  readonly nlbHour: number;
  readonly kmsKeyMonth: number;
  readonly secretMonth: number;
  readonly gp3GbMonth: number;
  readonly logsIngestedGb: number;
  readonly logsStoredGbMonth: number;
  readonly fargateVcpuHour: number;
  readonly fargateGbHour: number;
  /** Linux on-demand, per hour. */
  readonly ec2OnDemandHour: Readonly<Record<string, number>>;
}

/** Route 53 is global: a hosted zone per month (first 25 zones). */
export const ROUTE53_HOSTED_ZONE_MONTH = 0.5;

/** vCPUs and memory of every type of the instance table (cluster-factory's INSTANCE_DATA). */
export const INSTANCE_SPECS: Readonly<Record<string, { readonly vcpus: number; readonly memoryGib: number }>> = Object.fromEntries(
  Object.entries(INSTANCE_DATA).map(([type, data]) => [type, { vcpus: data.vcpus, memoryGib: data.memoryMib / 1024 }]),
);

const US_SERVICES = {
  eksClusterHour: EKS_CONTROL_PLANE_PRICES.standardHour,
  eksClusterExtendedHour: EKS_CONTROL_PLANE_PRICES.extendedHour,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  transitGatewayAttachmentHour: 0.05,
  transitGatewayGb: 0.02,
  nlbHour: 0.0225,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  gp3GbMonth: 0.08,
  logsIngestedGb: 0.5,
  logsStoredGbMonth: 0.03,
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
};

/** us-east-1 and us-west-2 share these list prices; eu-west-1 lists only the types known for it. */
export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': { ...US_SERVICES, ec2OnDemandHour: EC2_US_EAST_1_ON_DEMAND },
  'us-west-2': { ...US_SERVICES, ec2OnDemandHour: EC2_US_EAST_1_ON_DEMAND },
  'eu-west-1': {
    eksClusterHour: EKS_CONTROL_PLANE_PRICES.standardHour,
    eksClusterExtendedHour: EKS_CONTROL_PLANE_PRICES.extendedHour,
    natGatewayHour: 0.048,
    natGatewayGb: 0.048,
    transitGatewayAttachmentHour: 0.05,
    transitGatewayGb: 0.02,
    nlbHour: 0.0252,
    kmsKeyMonth: 1,
    secretMonth: 0.4,
    gp3GbMonth: 0.088,
    logsIngestedGb: 0.57,
    logsStoredGbMonth: 0.03,
    fargateVcpuHour: 0.04456,
    fargateGbHour: 0.004865,
    ec2OnDemandHour: {
      'm5.large': 0.107,
      'm5.xlarge': 0.214,
      'm6i.large': 0.107,
      'm6i.xlarge': 0.214,
      'g5.xlarge': 1.123,
    },
  },
};

/** What the estimate cannot read from the code; printed with every estimate. */
export interface Assumptions {
  readonly hoursPerMonth: number;
  /** Data processed per NAT gateway per month. */
  readonly natGbPerGateway: number;
  /** Data processed per Transit Gateway VPC attachment per month. */
  readonly transitGatewayGbPerAttachment: number;
  /** Log data ingested per log group per month; kept for the group's retention. */
  readonly logGbPerGroup: number;
  /** Spot price as a share of on-demand (a 65% discount; AWS advertises up to 90%). */
  readonly spotShareOfOnDemand: number;
  /** Share of each Karpenter pool's CPU limit in use on average. */
  readonly karpenterUtilisation: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  hoursPerMonth: 730,
  natGbPerGateway: 100,
  transitGatewayGbPerAttachment: 100,
  logGbPerGroup: 10,
  spotShareOfOnDemand: 0.35,
  karpenterUtilisation: 0.25,
};
