import { PodIdentityRole } from '../constructs/pod-identity-role.js';
import { firstRepeated } from '../lib/private/names.js';
import { type Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import type { ClusterAccess } from './cluster-access.js';
import { EksControlPlane } from '../constructs/eks-control-plane.js';
import { NodeSecurityGroup } from '../constructs/node-security-group.js';
import type { FeatureCluster } from '../features/built-in.js';
import { LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, loadBalancerControllerPolicy } from '../features/load-balancer-controller/load-balancer-controller-policy.js';
import type { NetworkingDecision } from '../networking/decision.js';
import type { SupportType } from '../lifecycle/kubernetes-support.js';
import type { EksAddonPlan } from '../lifecycle/eks-addons.js';
import { VPC_CNI_IDENTITY, extraStatementsOf, type ExtraStatements } from '../iam/controller-identities.js';
import { LOAD_BALANCER_CONTROLLER_IDENTITY } from '../features/load-balancer-controller/identity.js';

export interface ClusterStackProps {
  readonly settings: StackSettings;
  /** EKS cluster name (a literal: IAM conditions and tags use it). */
  readonly clusterName: string;
  /** EKS Kubernetes version, e.g. `1.35`. */
  readonly kubernetesVersion: string;
  /** What EKS does when standard support ends (upgrade_policy.support_type). */
  readonly supportType: SupportType;
  /**
   * The add-ons that run without nodes, each with its pinned version (the plan's
   * controlPlane.addons: Cilium replaces vpc-cni, and kube-proxy with its replacement).
   */
  readonly addons: readonly EksAddonPlan[];
  /** Decides the control-plane add-ons, self-managed bootstrap and node ports. */
  readonly networking: NetworkingDecision;
  /** The VPC of the network stack (a remote-state token). */
  readonly vpcId: string;
  /** Private subnets for the control-plane ENIs. */
  readonly privateSubnetIds: string[];
  /** Public API endpoint, restricted to publicAccessCidrs. @default false */
  readonly endpointPublicAccess?: boolean;
  /** CIDRs allowed to the public endpoint; required when it is on. @default [] */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM principals given cluster admin through access entries. @default [] */
  readonly adminPrincipalArns?: readonly string[];
  /** Retention of the control-plane log group. @default 30 */
  readonly logRetentionDays?: number;
  /** Open UDP 51871 between nodes for Cilium's WireGuard encryption. @default false */
  readonly wireguard?: boolean;
  /** Open TCP 4250 between nodes for Cilium's mutual authentication. @default false */
  readonly mutualAuth?: boolean;
  /** prevent_destroy on the cluster, its KMS key and its log group. @default false */
  readonly protectStatefulResources?: boolean;
  /** VPC CIDRs of the other clusters of a Cluster Mesh. @default [] */
  readonly meshPeerCidrs?: readonly string[];
  /** The platform team's statements for the roles made here (cilium_operator, aws_load_balancer_controller, vpc_cni). @default none */
  readonly extraStatements?: ExtraStatements;
  /**
   * The AWS sides of built-in features that belong in this stack (featureClusters: the Cilium
   * operator's role), created after the node security group, in this order. @default none
   */
  readonly features?: readonly FeatureCluster[];
}

/** The props' own invariants: the add-ons the networking needs, once each, every one pinned. */
function validateCluster(stack: string, props: ClusterStackProps): void {
  const names = props.addons.map((addon) => addon.name);
  const twice = firstRepeated(names);
  if (twice !== undefined) throw new Error(`${stack}: the add-on ${twice} is listed twice`);
  if (!names.includes('eks-pod-identity-agent')) throw new Error(`${stack}: addons must include eks-pod-identity-agent (every controller identity is a Pod Identity association)`);
  if (props.networking.ciliumEnabled && names.includes('vpc-cni')) throw new Error(`${stack}: vpc-cni cannot run with Cilium (Cilium is the only CNI)`);
  if (!props.networking.ciliumEnabled && !names.includes('vpc-cni')) throw new Error(`${stack}: without Cilium, addons must include vpc-cni`);
  if (props.networking.kubeProxyReplacement && names.includes('kube-proxy')) throw new Error(`${stack}: kube-proxy cannot run with Cilium's kube-proxy replacement`);
  const unpinned = props.addons.find((addon) => addon.version.trim() === '');
  if (unpinned) throw new Error(`${stack}: the add-on ${unpinned.name} has no version (every EKS add-on is pinned)`);
}

/**
 * The EKS control plane and what belongs to it: the node security group, and the
 * add-ons that run without nodes. With Cilium, EKS bootstraps no aws-node or kube-proxy.
 */
export class ClusterStack extends EnvironmentStack {
  readonly controlPlane: EksControlPlane;
  readonly nodeSecurityGroup: NodeSecurityGroup;
  readonly networking: NetworkingDecision;
  /** What each feature's cluster step created, by feature name (Cilium's: the operator's Pod Identity role in ENI mode). */
  readonly features: ReadonlyMap<string, unknown>;
  /** The AWS Load Balancer Controller's Pod Identity role (its chart is a platform add-on). */
  readonly loadBalancerController: PodIdentityRole;

  constructor(scope: Construct, props: ClusterStackProps) {
    super(scope, 'cluster', props.settings);
    validateCluster(this.node.id, props);
    this.networking = props.networking;

    this.controlPlane = new EksControlPlane(this, 'control-plane', {
      clusterName: props.clusterName,
      kubernetesVersion: props.kubernetesVersion,
      supportType: props.supportType,
      region: props.settings.region,
      subnetIds: props.privateSubnetIds,
      endpointPublicAccess: props.endpointPublicAccess,
      publicAccessCidrs: props.publicAccessCidrs,
      adminPrincipalArns: props.adminPrincipalArns,
      logRetentionDays: props.logRetentionDays,
      bootstrapSelfManagedAddons: !props.networking.ciliumEnabled,
      preventDestroy: props.protectStatefulResources,
    });
    this.nodeSecurityGroup = new NodeSecurityGroup(this, 'node-sg', {
      clusterName: props.clusterName,
      vpcId: props.vpcId,
      networking: props.networking,
      wireguard: props.wireguard ?? false,
      mutualAuth: props.mutualAuth ?? false,
      meshPeerCidrs: props.meshPeerCidrs,
    });
    const features = new Map<string, unknown>();
    for (const feature of props.features ?? []) features.set(feature.name, feature.deploy(this, { clusterName: this.controlPlane.cluster.name, vpcId: props.vpcId }));
    this.features = features;

    const cluster = this.controlPlane.cluster;
    const addons = Object.fromEntries(
      props.addons.map(({ name, version, configurationValues }) => [
        name,
        new EksAddon(this, `addon-${name}`, {
          clusterName: cluster.name,
          addonName: name,
          addonVersion: version,
          ...(configurationValues !== undefined ? { configurationValues } : {}),
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'OVERWRITE',
        }),
      ]),
    );
    // Nodes allow one IMDS hop: the controller is told its region and VPC (its chart values).
    this.loadBalancerController = new PodIdentityRole(this, 'aws-load-balancer-controller', {
      clusterName: cluster.name,
      region: props.settings.region,
      roleName: `${props.clusterName}-aws-load-balancer-controller`,
      serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      inlinePolicy: { name: 'aws-load-balancer-controller', document: loadBalancerControllerPolicy({ region: props.settings.region, accountId: props.settings.accountId, vpcId: props.vpcId }) },
      dependsOn: [addons['eks-pod-identity-agent']!],
      extraStatements: extraStatementsOf(props.extraStatements, LOAD_BALANCER_CONTROLLER_IDENTITY),
    });
    if (addons['vpc-cni']) {
      // aws-node gets its ENI permissions through Pod Identity, not from every node's role.
      new PodIdentityRole(this, 'vpc-cni-identity', {
        clusterName: cluster.name,
        region: props.settings.region,
        roleName: `${props.clusterName}-vpc-cni`,
        serviceAccount: { namespace: 'kube-system', name: 'aws-node' },
        managedPolicies: ['AmazonEKS_CNI_Policy'],
        dependsOn: [addons['eks-pod-identity-agent']!],
        extraStatements: extraStatementsOf(props.extraStatements, VPC_CNI_IDENTITY),
      });
    }

    new TerraformOutput(this, 'cluster_name', { value: cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: cluster.endpoint });
    new TerraformOutput(this, 'cni', { value: props.networking.cni });
  }

  get clusterName(): string {
    return this.controlPlane.cluster.name;
  }

  /** What Kubernetes-side stacks need to reach the API server. */
  get access(): ClusterAccess {
    const cluster = this.controlPlane.cluster;
    return {
      clusterName: cluster.name,
      region: this.settings.region,
      endpoint: cluster.endpoint,
      endpointHost: this.controlPlane.endpointHost,
      certificateAuthorityData: cluster.certificateAuthority.get(0).data,
    };
  }
}
