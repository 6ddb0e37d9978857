import type { Construct } from 'constructs';
import { decideNetworking, type NetworkingDecision } from './networking/decision.js';
import type { EnvironmentConfig } from './config/schema.js';
import type { StackSettings } from './stacks/environment-stack.js';
import { NetworkStack } from './stacks/network-stack.js';
import { ClusterStack } from './stacks/cluster-stack.js';
import { ComputeStack } from './stacks/compute-stack.js';
import { StateBucketStack } from './stacks/state-bucket-stack.js';
import { CniStack } from './stacks/cni-stack.js';
import { PlatformAddonsStack } from './stacks/platform-addons-stack.js';
import type { PlatformAddon } from './addons/addon.js';
import { networkPolicyBaselineAddon } from './addons/network-policy-baseline.js';
import { argoCdAddon } from './addons/argocd.js';
import { clusterMeshDnsAddon, type ClusterMeshDnsProps } from './addons/cluster-mesh-dns.js';
import type { ClusterMeshMembership } from './cilium/values.js';
import { karpenterAddon, karpenterNodePool, karpenterPoolFamilies } from './addons/karpenter.js';
import { karpenterNodeRoleName } from './constructs/karpenter-infrastructure.js';
import { Annotations } from 'cdktf';
import { planSubnets } from './lib/subnet-plan.js';
import { karpenterPoolScenarios, podIpBudget, type IpBudget, type NodeSource } from './capacity/ip-budget.js';
import { ciliumHostNetworkPods, ciliumMaxPods, karpenterMaxPods, type CiliumPodCapacityOptions } from './capacity/max-pods.js';
import { CILIUM_ENI_FIRST_INTERFACE_INDEX } from './cilium/eni.js';

/** This environment's cluster as a member of a Cilium Cluster Mesh. */
export interface ClusterMeshOptions {
  readonly membership: ClusterMeshMembership;
  /** VPC CIDRs of the other members (node security-group rules). */
  readonly peerVpcCidrs: readonly string[];
  /** The shared CA in Secrets Manager. */
  readonly caSecret: { readonly secretId: string; readonly region: string };
  /** Where this cluster's clustermesh API server is published. */
  readonly dns: ClusterMeshDnsProps;
}

export interface EnvironmentPlatformOptions {
  /** Membership in a Cilium Cluster Mesh (multi-region). */
  readonly clusterMesh?: ClusterMeshOptions;
  /** Add-ons beyond those the config enables (e.g. Karpenter), given the platform so far. */
  readonly additionalAddons?: (platform: EnvironmentPlatform) => PlatformAddon[];
  /** Prefix of stack names, unique across all apps. @default config.name */
  readonly stackPrefix?: string;
  /** EKS cluster name. @default config.name */
  readonly clusterName?: string;
}

/** Tags every resource of an environment carries, before the config's own tags. */
export function baseTags(config: Pick<EnvironmentConfig, 'name' | 'tags'>, clusterName: string): Record<string, string> {
  return { Environment: config.name, Cluster: clusterName, ManagedBy: 'cdktf', ...config.tags };
}

/** The add-ons an environment's config switches on. */
export function configuredAddons(config: EnvironmentConfig): PlatformAddon[] {
  const addons: PlatformAddon[] = [];
  if (config.platform.network_policy_baseline) addons.push(networkPolicyBaselineAddon());
  const argocd = config.platform.argocd;
  if (argocd?.enabled) addons.push(argoCdAddon({ repoUrl: argocd.gitops_repo, revision: argocd.revision, path: argocd.path }));
  return addons;
}

/**
 * The stacks of one environment in one region, in deployment order:
 * network -> cluster -> cni (with Cilium) -> compute -> platform (when add-ons are on).
 * Cross-stack references become S3 remote state.
 */
export class EnvironmentPlatform {
  readonly networking: NetworkingDecision;
  readonly settings: StackSettings;
  readonly clusterName: string;
  readonly network: NetworkStack;
  readonly cluster: ClusterStack;
  readonly compute: ComputeStack;
  readonly cni?: CniStack;
  readonly platform?: PlatformAddonsStack;
  /** How Cilium allocates pods on this environment's nodes (undefined: VPC CNI). */
  readonly podCapacity?: CiliumPodCapacityOptions;
  /** The pod IP budget at maximum scale (with Cilium; the VPC CNI is not modelled). */
  readonly ipBudget?: IpBudget;

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
      wireguard: config.cilium.wireguard,
      protectStatefulResources: config.protect_stateful_resources,
      meshPeerCidrs: options.clusterMesh?.peerVpcCidrs,
    });
    const cilium = config.cilium;
    if (this.networking.cni === 'cilium') {
      this.podCapacity = {
        mode: this.networking.ciliumMode,
        prefixDelegation: cilium.prefix_delegation,
        hostNetworkPods: ciliumHostNetworkPods({ l7Proxy: cilium.l7_proxy, kubeProxyReplacement: this.networking.kubeProxyReplacement }),
      };
      this.cni = new CniStack(scope, {
        settings: this.settings,
        cluster: this.cluster.access,
        cilium: {
          clusterName: this.clusterName,
          mode: this.networking.ciliumMode,
          kubeProxyReplacement: this.networking.kubeProxyReplacement,
          vpcCidr: config.vpc_cidr,
          podCidr: cilium.pod_cidr,
          prefixDelegation: cilium.prefix_delegation,
          hubble: this.networking.hubble,
          hubbleRelay: cilium.hubble_relay,
          hubbleUi: cilium.hubble_ui,
          l7Proxy: cilium.l7_proxy,
          gatewayApi: cilium.gateway_api,
          bgpControlPlane: cilium.bgp_control_plane,
          wireguard: cilium.wireguard,
          mutualAuth: cilium.mutual_auth,
          clusterMesh: options.clusterMesh?.membership,
        },
        meshCa: options.clusterMesh?.caSecret,
      });
    }
    const capacity = this.podCapacity;
    this.compute = new ComputeStack(scope, {
      settings: this.settings,
      clusterName: this.cluster.clusterName,
      networking: this.networking,
      privateSubnetIds: this.network.vpc.privateSubnetIds,
      clusterSecurityGroupId: this.cluster.controlPlane.cluster.vpcConfig.clusterSecurityGroupId,
      nodeSecurityGroupId: this.cluster.nodeSecurityGroup.securityGroupId,
      nodeGroups: config.node_groups,
      fargateProfiles: config.fargate_profiles,
      cniStack: this.cni,
      ebsCsiDriver: this.networking.ciliumEnabled && cilium.mutual_auth,
      maxPodsFor: capacity && ((instanceType: string) => ciliumMaxPods(instanceType, capacity)),
      minPodsPerNode: config.min_pods_per_node,
      karpenter: config.karpenter.enabled ? { clusterName: this.clusterName, createSpotServiceLinkedRole: config.karpenter.create_spot_service_linked_role } : undefined,
    });

    if (capacity) {
      this.ipBudget = checkIpBudget(config, capacity, this.networking.ciliumEnabled, this.clusterName);
      for (const warning of this.ipBudget.warnings) Annotations.of(this.network).addWarning(warning);
    }

    const karpenter = this.compute.karpenter;
    const addons = [
      ...configuredAddons(config),
      ...(karpenter
        ? [
            karpenterAddon({
              clusterName: this.clusterName,
              nodeRoleName: karpenterNodeRoleName(this.clusterName),
              interruptionQueueName: karpenter.queue.name,
              maxPods: capacity && karpenterNodeMaxPods(config.karpenter, capacity),
              reservedEnis: CILIUM_ENI_FIRST_INTERFACE_INDEX,
              ciliumEni: capacity?.mode === 'eni',
              config: config.karpenter,
            }),
          ]
        : []),
      ...(options.clusterMesh ? [clusterMeshDnsAddon(options.clusterMesh.dns)] : []),
      ...(options.additionalAddons?.(this) ?? []),
    ];
    if (addons.length > 0) {
      const roleArns: Record<string, string> = {};
      if (this.cluster.ciliumOperator) roleArns.cilium_operator = this.cluster.ciliumOperator.role.arn;
      if (karpenter) roleArns.karpenter = karpenter.controllerRole.arn;
      this.platform = new PlatformAddonsStack(scope, {
        settings: this.settings,
        cluster: this.cluster.access,
        clusterInfo: {
          clusterName: this.clusterName,
          region: config.region,
          accountId: config.aws_account_id,
          environment: config.name,
          networking: this.networking,
          roleArns,
        },
        addons,
      });
      this.platform.addDependency(this.compute);
    }
  }
}

/** The one kubelet maxPods of Karpenter nodes (an EC2NodeClass sets one), over every pool's admitted families. */
export function karpenterNodeMaxPods(karpenter: EnvironmentConfig['karpenter'], capacity: CiliumPodCapacityOptions): number {
  const pools = [karpenter.general, ...(karpenter.gpu ? [karpenter.gpu] : [])];
  return karpenterMaxPods(capacity, pools.map((pool) => ({ families: karpenterPoolFamilies(pool) })));
}

/** Thrown when pods at maximum scale cannot get addresses; synth stops before anything is written. */
export class IpBudgetError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'IpBudgetError';
  }
}

/**
 * The pod IP budget of an environment: node groups at max_size, Karpenter pools at their CPU
 * limit, pods per node from the project's max-pods. Throws IpBudgetError when it cannot fit.
 */
export function checkIpBudget(config: EnvironmentConfig, capacity: CiliumPodCapacityOptions, ciliumEnabled: boolean, clusterName = config.name): IpBudget {
  const podsPerNode = (instanceType: string) => ciliumMaxPods(instanceType, capacity);
  const sources: NodeSource[] = config.node_groups.map((group, index) => {
    // kubelet maxPods of a group is its smallest type's figure (ComputeStack).
    const pods = Math.min(...group.instance_types.map(podsPerNode));
    return {
      label: `node_groups[${index}] (${group.name})`,
      scenarios: group.instance_types.map((instanceType) => ({ instanceType, nodes: group.max_size, podsPerNode: pods })),
    };
  });
  if (config.karpenter.enabled) {
    const pools = [['general', config.karpenter.general, false], ['gpu', config.karpenter.gpu, true]] as const;
    // Every Karpenter node gets the one maxPods of the EC2NodeClass.
    const karpenterPods = karpenterNodeMaxPods(config.karpenter, capacity);
    for (const [name, pool, gpu] of pools) {
      if (!pool) continue;
      const requirements = karpenterNodePool(name, pool, { ciliumEnabled, ciliumEni: capacity.mode === 'eni', gpu }).spec!.template.spec.requirements;
      sources.push({ label: `karpenter.${name}`, scenarios: karpenterPoolScenarios(requirements, pool.cpu_limit, () => karpenterPods) });
    }
  }
  const budget = podIpBudget({
    mode: capacity.mode,
    prefixDelegation: capacity.prefixDelegation,
    hostNetworkPods: capacity.hostNetworkPods,
    subnets: planSubnets(config.vpc_cidr, config.availability_zones).map((subnet) => ({ zone: subnet.zone, cidr: subnet.privateCidr })),
    podCidr: capacity.mode === 'overlay' ? config.cilium.pod_cidr : undefined,
    sources,
    warnAtShare: config.ip_budget.warn_at_share,
  });
  if (budget.errors.length > 0) throw new IpBudgetError(budget.errors.map((error) => `${clusterName}: ${error}`));
  return budget;
}

/** The state bucket stack of the account an environment deploys into. */
export function defineStateBootstrap(scope: Construct, config: Pick<EnvironmentConfig, 'name' | 'state' | 'aws_account_id' | 'tags'>): StateBucketStack {
  return new StateBucketStack(scope, {
    environment: config.name,
    bucket: config.state.bucket,
    region: config.state.region,
    accountId: config.aws_account_id,
    tags: { Environment: config.name, ManagedBy: 'cdktf', ...config.tags },
    ownState: config.state.bootstrap,
  });
}
