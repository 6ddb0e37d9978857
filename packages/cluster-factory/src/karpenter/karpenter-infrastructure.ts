import { PodIdentityRole } from '../constructs/pod-identity-role.js';
import { Construct } from 'constructs';
import { Token } from 'cdktf';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { ec2ServicePrincipal, partitionOf, iamPolicyJson } from '../lib/private/aws.js';
import { NodeRole } from '../constructs/node-role.js';
import type { ExtraStatement } from '../iam/policy-statements.js';
import { extraStatementsOf } from '../iam/controller-identities.js';
import { KARPENTER_IDENTITY } from '../features/karpenter/identity.js';

export interface KarpenterInfrastructureProps {
  /** The literal cluster name: it is part of tag keys in IAM conditions. */
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Create the account's EC2 Spot service-linked role (AWSServiceRoleForEC2Spot). Without it
   * an account's first spot launch fails with ServiceLinkedRoleCreationNotPermitted (the
   * controller may not create it). It is one role per account and creating it fails when it
   * exists, so it is opt-in: enable it in one environment per account. @default false
   */
  readonly createSpotServiceLinkedRole?: boolean;
  /** The platform team's statements for the controller (config `iam.extra_statements.karpenter`). @default none */
  readonly extraStatements?: readonly ExtraStatement[];
}

/** Terraform ids of the node role's policy attachments before it became a NodeRole. */
const PREVIOUS_NODE_POLICY_IDS = {
  AmazonEKSWorkerNodePolicy: 'karpenter_node-AmazonEKSWorkerNodePolicy_1345DA06',
  AmazonEC2ContainerRegistryPullOnly: 'karpenter_node-AmazonEC2ContainerRegistryPullOnly_3B9C60F1',
  AmazonSSMManagedInstanceCore: 'karpenter_node-AmazonSSMManagedInstanceCore_4C20F78B',
} as const;

/** The Karpenter node role's name: literal, so the EC2NodeClass can name it in plain YAML. */
export function karpenterNodeRoleName(clusterName: string): string {
  return `${clusterName}-karpenter-node`;
}

/** Where the Karpenter chart's controller runs and which service account it uses. */
export const KARPENTER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'karpenter' } as const;

/**
 * The events Karpenter handles ahead of time, spelled exactly as AWS emits them: a typo in a
 * detail-type silently disables the rule.
 */
export const KARPENTER_INTERRUPTION_EVENTS = {
  'spot-interruption': { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
  rebalance: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
  'instance-state-change': { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
  'scheduled-change': { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
  'capacity-reservation-interruption': { source: ['aws.ec2'], 'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'] },
} as const;

/**
 * The Karpenter controller policy: the statements of the upstream v1.14.1 CloudFormation
 * (reference/karpenter-1.14.1/cloudformation.yaml; a test compares them), scoped to this
 * cluster: it may only launch, tag and terminate instances and launch templates that carry
 * the cluster's ownership tag and a Karpenter node pool tag, read in its own region, pass
 * only the Karpenter node role, and manage only instance profiles tagged for this cluster.
 */
export function karpenterControllerPolicy(props: KarpenterInfrastructureProps & { nodeRoleArn: string; queueArn: string }): object {
  const partition = partitionOf(props.region);
  const ec2 = (resource: string) => `arn:${partition}:ec2:${props.region}:*:${resource}`;
  const clusterTag = `kubernetes.io/cluster/${props.clusterName}`;
  const launched = ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map((type) => ec2(`${type}/*`));
  const ownedRequest = {
    StringEquals: { [`aws:RequestTag/${clusterTag}`]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': props.clusterName },
    StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
  };
  const ownedResource = {
    StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
    StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
  };
  const profileArn = `arn:${partition}:iam::${props.accountId}:instance-profile/*`;
  const profileRequestTags = {
    [`aws:RequestTag/${clusterTag}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': props.clusterName,
    'aws:RequestTag/topology.kubernetes.io/region': props.region,
  };
  const profileResourceTags = { [`aws:ResourceTag/${clusterTag}`]: 'owned', 'aws:ResourceTag/topology.kubernetes.io/region': props.region };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowScopedEC2InstanceAccessActions',
        Effect: 'Allow',
        Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
        Resource: [
          `arn:${partition}:ec2:${props.region}::image/*`,
          `arn:${partition}:ec2:${props.region}::snapshot/*`,
          ec2('security-group/*'),
          ec2('subnet/*'),
          ec2('capacity-reservation/*'),
          ec2('placement-group/*'),
        ],
      },
      { Sid: 'AllowScopedEC2LaunchTemplateAccessActions', Effect: 'Allow', Action: ['ec2:RunInstances', 'ec2:CreateFleet'], Resource: ec2('launch-template/*'), Condition: ownedResource },
      { Sid: 'AllowScopedEC2InstanceActionsWithTags', Effect: 'Allow', Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'], Resource: launched, Condition: ownedRequest },
      {
        Sid: 'AllowScopedResourceCreationTagging',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: launched,
        Condition: { ...ownedRequest, StringEquals: { ...ownedRequest.StringEquals, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] } },
      },
      {
        Sid: 'AllowScopedResourceTagging',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: ec2('instance/*'),
        Condition: {
          ...ownedResource,
          // Karpenter may add eks:eks-cluster-name later, but only with this cluster's name.
          StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': props.clusterName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
        },
      },
      { Sid: 'AllowScopedDeletion', Effect: 'Allow', Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'], Resource: [ec2('instance/*'), ec2('launch-template/*')], Condition: ownedResource },
      {
        Sid: 'AllowRegionalReadActions',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeCapacityReservations',
          'ec2:DescribeImages',
          'ec2:DescribeInstances',
          // Since 1.12: instance health for the node repair and status checks.
          'ec2:DescribeInstanceStatus',
          'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplates',
          'ec2:DescribePlacementGroups',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSpotPriceHistory',
          'ec2:DescribeSubnets',
        ],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': props.region } },
      },
      { Sid: 'AllowSSMReadActions', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: `arn:${partition}:ssm:${props.region}::parameter/aws/service/*` },
      { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: 'pricing:GetProducts', Resource: '*' },
      { Sid: 'AllowInterruptionQueueActions', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], Resource: props.queueArn },
      {
        Sid: 'AllowPassingInstanceRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: props.nodeRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': ec2ServicePrincipal(props.region) } },
      },
      {
        Sid: 'AllowScopedInstanceProfileCreationActions',
        Effect: 'Allow',
        Action: 'iam:CreateInstanceProfile',
        Resource: profileArn,
        Condition: { StringEquals: profileRequestTags, StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' } },
      },
      {
        // Tagging needs the existing profile's tags too: with request tags alone the controller
        // could tag any profile in the account as this cluster's, then delete it.
        Sid: 'AllowScopedInstanceProfileTagActions',
        Effect: 'Allow',
        Action: 'iam:TagInstanceProfile',
        Resource: profileArn,
        Condition: {
          StringEquals: { ...profileResourceTags, ...profileRequestTags },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      },
      {
        Sid: 'AllowScopedInstanceProfileActions',
        Effect: 'Allow',
        Action: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        Resource: profileArn,
        Condition: { StringEquals: profileResourceTags, StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' } },
      },
      { Sid: 'AllowInstanceProfileReadActions', Effect: 'Allow', Action: 'iam:GetInstanceProfile', Resource: profileArn },
      // The instance-profile garbage collector lists every profile; IAM List APIs take no resource scope.
      { Sid: 'AllowUnscopedInstanceProfileListAction', Effect: 'Allow', Action: 'iam:ListInstanceProfiles', Resource: '*' },
      {
        // Since 1.12, for settings.enableZonalShift (off here): read-only, this cluster only.
        Sid: 'AllowZonalShiftStatusReadOnly',
        Effect: 'Allow',
        Action: 'arc-zonal-shift:GetManagedResource',
        Resource: '*',
        Condition: { StringEquals: { 'arc-zonal-shift:ResourceIdentifier': `arn:${partition}:eks:${props.region}:${props.accountId}:cluster/${props.clusterName}` } },
      },
      { Sid: 'AllowAPIServerEndpointDiscovery', Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: `arn:${partition}:eks:${props.region}:${props.accountId}:cluster/${props.clusterName}` },
    ],
  };
}

/** Only EventBridge and SQS itself may send; nothing may use the queue without TLS. */
export function interruptionQueuePolicy(queueArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EventBridgeAndSqsOnly', Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] }, Action: 'sqs:SendMessage', Resource: queueArn },
      { Sid: 'DenyHTTP', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ],
  };
}

/**
 * Karpenter's AWS side: the controller's Pod Identity role, the role of the nodes it launches
 * (with an EC2_LINUX access entry so they can join), and the interruption queue fed by
 * EventBridge. Subnets and the node security group already carry `karpenter.sh/discovery`.
 */
export class KarpenterInfrastructure extends Construct {
  readonly controllerRole: IamRole;
  readonly nodeRole: IamRole;
  readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: KarpenterInfrastructureProps) {
    super(scope, id);
    if (Token.isUnresolved(props.clusterName)) throw new Error('KarpenterInfrastructure needs the literal cluster name, not a token');
    // The same role as the managed node groups', under its own literal name (the EC2NodeClass names it).
    const nodeRole = new NodeRole(this, 'node-role', { name: karpenterNodeRoleName(props.clusterName), region: props.region });
    this.nodeRole = nodeRole.role;
    // Addresses before the role became a NodeRole: a deployed cluster keeps its role (moved blocks).
    nodeRole.role.moveFromId('aws_iam_role.karpenter_node-role_64254103');
    for (const [policy, id] of Object.entries(PREVIOUS_NODE_POLICY_IDS)) nodeRole.attachments.get(policy)!.moveFromId(`aws_iam_role_policy_attachment.${id}`);
    new EksAccessEntry(this, 'node-access', { clusterName: props.clusterName, principalArn: this.nodeRole.arn, type: 'EC2_LINUX' });

    this.queue = new SqsQueue(this, 'interruption-queue', { name: `${props.clusterName}-karpenter`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true });
    new SqsQueuePolicy(this, 'interruption-queue-policy', { queueUrl: this.queue.url, policy: iamPolicyJson(interruptionQueuePolicy(this.queue.arn)) });
    for (const [name, pattern] of Object.entries(KARPENTER_INTERRUPTION_EVENTS)) {
      const rule = new CloudwatchEventRule(this, `event-${name}`, { name: `${props.clusterName}-karpenter-${name}`, eventPattern: JSON.stringify(pattern) });
      new CloudwatchEventTarget(this, `event-${name}-target`, { rule: rule.name, targetId: 'karpenter-interruption-queue', arn: this.queue.arn });
    }

    if (props.createSpotServiceLinkedRole) {
      new IamServiceLinkedRole(this, 'spot-service-linked-role', { awsServiceName: 'spot.amazonaws.com' });
    }

    this.controllerRole = new PodIdentityRole(this, 'controller-identity', {
      clusterName: props.clusterName,
      region: props.region,
      roleName: `${props.clusterName}-karpenter`,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      inlinePolicy: { name: 'karpenter-controller', document: karpenterControllerPolicy({ ...props, nodeRoleArn: this.nodeRole.arn, queueArn: this.queue.arn }) },
      extraStatements: extraStatementsOf({ karpenter: props.extraStatements }, KARPENTER_IDENTITY),
    }).role;
  }
}
