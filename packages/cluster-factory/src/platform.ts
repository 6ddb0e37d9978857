import type { Construct } from 'constructs';
import { decideNetworking, type NetworkingDecision } from './networking/decision.js';
import type { EnvironmentConfig } from './config/schema.js';
import type { StackSettings } from './stacks/environment-stack.js';
import { NetworkStack } from './stacks/network-stack.js';
import { ClusterStack } from './stacks/cluster-stack.js';
import { ComputeStack } from './stacks/compute-stack.js';

export interface EnvironmentPlatformOptions {
  /** Prefix of stack names, unique across all apps. @default config.name */
  readonly stackPrefix?: string;
  /** EKS cluster name. @default config.name */
  readonly clusterName?: string;
}

/** Tags every resource of an environment carries, before the config's own tags. */
export function baseTags(config: EnvironmentConfig, clusterName: string): Record<string, string> {
  return { Environment: config.name, Cluster: clusterName, ManagedBy: 'cdktf', ...config.tags };
}

/**
 * The stacks of one environment in one region, in deployment order:
 * network -> cluster -> (cni) -> compute. Cross-stack references become S3 remote state.
 */
export class EnvironmentPlatform {
  readonly networking: NetworkingDecision;
  readonly settings: StackSettings;
  readonly clusterName: string;
  readonly network: NetworkStack;
  readonly cluster: ClusterStack;
  readonly compute: ComputeStack;

  constructor(scope: Construct, config: EnvironmentConfig, options: EnvironmentPlatformOptions = {}) {
    this.clusterName = options.clusterName ?? config.name;
    this.networking = decideNetworking({
      enableCilium: config.enable_cilium,
      enableFargate: config.enable_fargate,
      ciliumMode: config.cilium_mode,
      enableKubeProxyReplacement: config.enable_kube_proxy_replacement,
      enableHubble: config.enable_hubble,
    });
    this.settings = {
      environment: config.name,
      stackPrefix: options.stackPrefix ?? config.name,
      region: config.region,
      accountId: config.aws_account_id,
      stateBucket: config.state.bucket,
      stateRegion: config.state.region,
      tags: baseTags(config, this.clusterName),
    };

    this.network = new NetworkStack(scope, {
      settings: this.settings,
      clusterName: this.clusterName,
      vpcCidr: config.vpc_cidr,
      availabilityZones: config.availability_zones,
      natGateways: config.nat_gateways,
    });
    this.cluster = new ClusterStack(scope, {
      settings: this.settings,
      clusterName: this.clusterName,
      kubernetesVersion: config.kubernetes_version,
      networking: this.networking,
      vpcId: this.network.vpc.vpcId,
      privateSubnetIds: this.network.vpc.privateSubnetIds,
      endpointPublicAccess: config.endpoint_access.public,
      publicAccessCidrs: config.endpoint_access.public_cidrs,
      adminPrincipalArns: config.admin_principals,
      logRetentionDays: config.log_retention_days,
    });
    this.compute = new ComputeStack(scope, {
      settings: this.settings,
      clusterName: this.cluster.clusterName,
      networking: this.networking,
      privateSubnetIds: this.network.vpc.privateSubnetIds,
      clusterSecurityGroupId: this.cluster.controlPlane.cluster.vpcConfig.clusterSecurityGroupId,
      nodeSecurityGroupId: this.cluster.nodeSecurityGroup.securityGroupId,
      nodeGroups: config.node_groups,
      fargateProfiles: config.fargate_profiles,
    });
  }
}
