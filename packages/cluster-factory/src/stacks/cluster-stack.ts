import { PodIdentityRole } from '../constructs/pod-identity-role.js';
import { type Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import type { ClusterAccess } from './cluster-access.js';
import { EksControlPlane } from '../constructs/eks-control-plane.js';
import { NodeSecurityGroup } from '../constructs/node-security-group.js';
import { CiliumOperatorIdentity } from '../cilium/cilium-operator-identity.js';
import type { NetworkingDecision } from '../networking/decision.js';

export interface ClusterStackProps {
  readonly settings: StackSettings;
  /** EKS cluster name (a literal: IAM conditions and tags use it). */
  readonly clusterName: string;
  /** EKS Kubernetes version, e.g. `1.34`. */
  readonly kubernetesVersion: string;
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
  /** prevent_destroy on the cluster, its KMS key and its log group. @default false */
  readonly protectStatefulResources?: boolean;
  /** VPC CIDRs of the other clusters of a Cluster Mesh. @default [] */
  readonly meshPeerCidrs?: readonly string[];
}

/**
 * Add-ons that run without nodes (DaemonSets), installed with the control plane. Cilium
 * replaces vpc-cni, and kube-proxy too when its kube-proxy replacement is on.
 */
export function controlPlaneAddonNames(networking: NetworkingDecision): string[] {
  if (!networking.ciliumEnabled) return ['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy'];
  return networking.kubeProxyReplacement ? ['eks-pod-identity-agent'] : ['eks-pod-identity-agent', 'kube-proxy'];
}

/**
 * The EKS control plane and what belongs to it: the node security group, and the
 * add-ons that run without nodes. With Cilium, EKS bootstraps no aws-node or kube-proxy.
 */
export class ClusterStack extends EnvironmentStack {
  readonly controlPlane: EksControlPlane;
  readonly nodeSecurityGroup: NodeSecurityGroup;
  readonly networking: NetworkingDecision;
  /** ENI mode only: the operator's Pod Identity role. */
  readonly ciliumOperator?: CiliumOperatorIdentity;

  constructor(scope: Construct, props: ClusterStackProps) {
    super(scope, 'cluster', props.settings);
    this.networking = props.networking;

    this.controlPlane = new EksControlPlane(this, 'control-plane', {
      clusterName: props.clusterName,
      kubernetesVersion: props.kubernetesVersion,
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
      meshPeerCidrs: props.meshPeerCidrs,
    });
    if (props.networking.cni === 'cilium' && props.networking.ciliumMode === 'eni') {
      this.ciliumOperator = new CiliumOperatorIdentity(this, 'cilium-operator', {
        clusterName: this.controlPlane.cluster.name,
        region: props.settings.region,
        accountId: props.settings.accountId,
        vpcId: props.vpcId,
      });
    }

    const cluster = this.controlPlane.cluster;
    const addons = Object.fromEntries(
      controlPlaneAddonNames(props.networking).map((name) => [
        name,
        new EksAddon(this, `addon-${name}`, {
          clusterName: cluster.name,
          addonName: name,
          resolveConflictsOnCreate: 'OVERWRITE',
          resolveConflictsOnUpdate: 'OVERWRITE',
        }),
      ]),
    );
    if (addons['vpc-cni']) {
      // aws-node gets its ENI permissions through Pod Identity, not from every node's role.
      new PodIdentityRole(this, 'vpc-cni-identity', {
        clusterName: cluster.name,
        region: props.settings.region,
        roleName: `${props.clusterName}-vpc-cni`,
        serviceAccount: { namespace: 'kube-system', name: 'aws-node' },
        managedPolicies: ['AmazonEKS_CNI_Policy'],
        dependsOn: [addons['eks-pod-identity-agent']!],
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
