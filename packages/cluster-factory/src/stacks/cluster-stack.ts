import { type Construct } from 'constructs';
import { Annotations, TerraformOutput } from 'cdktf';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { AwsEnvironmentStack, type StackSettings } from './environment-stack.js';
import { EksControlPlane } from '../constructs/eks-control-plane.js';
import { NodeSecurityGroup } from '../constructs/node-security-group.js';
import type { NetworkingDecision } from '../networking/decision.js';
import { managedPolicyArn, serviceTrustPolicy } from '../lib/private/aws.js';

export interface ClusterStackProps {
  readonly settings: StackSettings;
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly networking: NetworkingDecision;
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly endpointPublicAccess: boolean;
  readonly publicAccessCidrs: readonly string[];
  readonly adminPrincipalArns: readonly string[];
  readonly logRetentionDays: number;
}

/** Add-ons that run without nodes (DaemonSets), installed with the control plane. */
export function controlPlaneAddonNames(networking: NetworkingDecision): string[] {
  return networking.ciliumEnabled ? ['eks-pod-identity-agent'] : ['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy'];
}

/**
 * The EKS control plane and what belongs to it: the node security group, and the
 * add-ons that run without nodes. With Cilium, EKS bootstraps no aws-node or kube-proxy.
 */
export class ClusterStack extends AwsEnvironmentStack {
  readonly controlPlane: EksControlPlane;
  readonly nodeSecurityGroup: NodeSecurityGroup;
  readonly networking: NetworkingDecision;

  constructor(scope: Construct, props: ClusterStackProps) {
    super(scope, 'cluster', props.settings);
    this.networking = props.networking;
    for (const warning of props.networking.warnings) Annotations.of(this).addWarning(warning);

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
    });
    this.nodeSecurityGroup = new NodeSecurityGroup(this, 'node-sg', {
      clusterName: props.clusterName,
      vpcId: props.vpcId,
      networking: props.networking,
    });

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
      const cniRole = new IamRole(this, 'vpc-cni-role', {
        name: `${props.clusterName}-vpc-cni`,
        assumeRolePolicy: serviceTrustPolicy('pods.eks.amazonaws.com'),
      });
      new IamRolePolicyAttachment(this, 'vpc-cni-policy', { role: cniRole.name, policyArn: managedPolicyArn(props.settings.region, 'AmazonEKS_CNI_Policy') });
      new EksPodIdentityAssociation(this, 'vpc-cni-identity', {
        clusterName: cluster.name,
        namespace: 'kube-system',
        serviceAccount: 'aws-node',
        roleArn: cniRole.arn,
        dependsOn: [addons['eks-pod-identity-agent']],
      });
    }

    new TerraformOutput(this, 'cluster_name', { value: cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: cluster.endpoint });
    new TerraformOutput(this, 'cni', { value: props.networking.cni });
  }

  get clusterName(): string {
    return this.controlPlane.cluster.name;
  }
}
