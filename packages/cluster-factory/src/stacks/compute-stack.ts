import { PodIdentityRole } from '../constructs/pod-identity-role.js';
import { type Construct } from 'constructs';
import { Annotations, type TerraformStack } from 'cdktf';
import { KarpenterInfrastructure } from '../constructs/karpenter-infrastructure.js';
import { EksAddon, type EksAddonPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-addon';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { AwsEnvironmentStack, type StackSettings } from './environment-stack.js';
import { NodeRole } from '../constructs/node-role.js';
import { ManagedNodeGroup, CILIUM_STARTUP_TAINT } from '../constructs/managed-node-group.js';
import { FargateProfile } from '../constructs/fargate-profile.js';
import type { NetworkingDecision } from '../networking/decision.js';
import type { FargateProfileConfig, NodeGroupConfig } from '../config/schema.js';
import { managedPolicyArn, serviceTrustPolicy } from '../lib/private/aws.js';

export interface ComputeStackProps {
  readonly settings: StackSettings;
  readonly clusterName: string;
  readonly networking: NetworkingDecision;
  readonly privateSubnetIds: string[];
  readonly clusterSecurityGroupId: string;
  readonly nodeSecurityGroupId: string;
  readonly nodeGroups: readonly NodeGroupConfig[];
  readonly fargateProfiles: readonly FargateProfileConfig[];
  /**
   * The stack that installs the CNI. Nodes must not join before it exists, or they stay
   * NotReady ("cni plugin not initialized"); compute is deployed after it.
   */
  readonly cniStack?: TerraformStack;
  /**
   * Install the EBS CSI driver (with its own Pod Identity role): volumes such as the SPIRE
   * server's need it. @default false
   */
  readonly ebsCsiDriver?: boolean;
  /** kubelet maxPods per instance type (Cilium): each node group gets its smallest type's. */
  readonly maxPodsFor?: (instanceType: string) => number;
  /** Warn when a node group's instance type holds fewer pods than this. */
  readonly minPodsPerNode?: number;
  /**
   * Create Karpenter's IAM roles, interruption queue and event rules for the cluster of this
   * literal name (tag keys in its IAM conditions need the name at synth time, not a token).
   * @default none
   */
  readonly karpenter?: { readonly clusterName: string; readonly createSpotServiceLinkedRole: boolean };
}

/** Worker capacity: managed node groups, Fargate profiles, and CoreDNS once nodes exist. */
export class ComputeStack extends AwsEnvironmentStack {
  readonly nodeRole: NodeRole;
  readonly nodeGroups: ManagedNodeGroup[];
  readonly fargateProfiles: FargateProfile[];
  readonly karpenter?: KarpenterInfrastructure;

  constructor(scope: Construct, props: ComputeStackProps) {
    super(scope, 'compute', props.settings);
    if (props.cniStack) this.addDependency(props.cniStack);
    const region = props.settings.region;

    this.nodeRole = new NodeRole(this, 'node-role', {
      name: `${props.clusterName}-node`,
      region,
    });
    const taints = props.networking.ciliumEnabled ? [{ ...CILIUM_STARTUP_TAINT }] : undefined;
    const maxPodsFor = props.maxPodsFor;
    this.nodeGroups = props.nodeGroups.map((group, index) => {
      const capacities = maxPodsFor ? group.instance_types.map((type) => ({ type, pods: maxPodsFor(type) })) : [];
      for (const { type, pods } of capacities) {
        if (props.minPodsPerNode !== undefined && pods < props.minPodsPerNode) {
          Annotations.of(this).addWarning(
            `node_groups[${index}] (${group.name}): ${type} holds at most ${pods} pods with the ${props.networking.cni === 'cilium' ? `Cilium ${props.networking.ciliumMode}` : 'AWS VPC CNI'} datapath, fewer than min_pods_per_node ${props.minPodsPerNode}; use a larger instance type or cilium.prefix_delegation`,
          );
        }
      }
      return new ManagedNodeGroup(this, `node-group-${group.name}`, {
          clusterName: props.clusterName,
          name: group.name,
          nodeRoleArn: this.nodeRole.role.arn,
          subnetIds: props.privateSubnetIds,
          securityGroupIds: [props.clusterSecurityGroupId, props.nodeSecurityGroupId],
          instanceTypes: group.instance_types,
          capacityType: group.capacity_type,
          minSize: group.min_size,
          maxSize: group.max_size,
          desiredSize: group.desired_size,
          diskSizeGib: group.disk_size_gib,
          labels: group.labels,
          taints,
          maxPods: capacities.length > 0 ? Math.min(...capacities.map((capacity) => capacity.pods)) : undefined,
          ciliumEni: props.networking.ciliumEnabled && props.networking.ciliumMode === 'eni',
        });
    });
    if (props.karpenter) {
      this.karpenter = new KarpenterInfrastructure(this, 'karpenter', {
        clusterName: props.karpenter.clusterName,
        region,
        accountId: props.settings.accountId,
        createSpotServiceLinkedRole: props.karpenter.createSpotServiceLinkedRole,
      });
    }

    this.fargateProfiles = [];
    if (props.fargateProfiles.length > 0) {
      const podExecutionRole = new IamRole(this, 'fargate-pod-execution-role', {
        name: `${props.clusterName}-fargate`,
        assumeRolePolicy: serviceTrustPolicy('eks-fargate-pods.amazonaws.com'),
      });
      new IamRolePolicyAttachment(this, 'fargate-pod-execution-policy', {
        role: podExecutionRole.name,
        policyArn: managedPolicyArn(region, 'AmazonEKSFargatePodExecutionRolePolicy'),
      });
      for (const profile of props.fargateProfiles) {
        this.fargateProfiles.push(
          new FargateProfile(this, `fargate-${profile.name}`, {
            clusterName: props.clusterName,
            name: profile.name,
            podExecutionRoleArn: podExecutionRole.arn,
            subnetIds: props.privateSubnetIds,
            selectors: profile.selectors,
          }),
        );
      }
    }

    // CoreDNS and the EBS CSI controller are Deployments: created before nodes exist, the
    // add-ons stay degraded and Terraform times out.
    const capacity = [...this.nodeGroups.map((group) => group.nodeGroup), ...this.fargateProfiles.map((profile) => profile.profile)];
    const addon = (name: string, extra: { podIdentityAssociation?: EksAddonPodIdentityAssociation[] } = {}) =>
      new EksAddon(this, `addon-${name}`, {
        clusterName: props.clusterName,
        addonName: name,
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        dependsOn: capacity,
        ...extra,
      });
    addon('coredns');
    if (props.ebsCsiDriver) {
      const ebs = new PodIdentityRole(this, 'ebs-csi-identity', {
        clusterName: props.clusterName,
        region,
        roleName: `${props.clusterName}-ebs-csi`,
        serviceAccount: { namespace: 'kube-system', name: 'ebs-csi-controller-sa' },
        managedPolicies: ['service-role/AmazonEBSCSIDriverPolicy'],
        // The add-on binds the role itself.
        associate: false,
      });
      addon('aws-ebs-csi-driver', { podIdentityAssociation: [{ roleArn: ebs.role.arn, serviceAccount: 'ebs-csi-controller-sa' }] });
    }
  }
}
