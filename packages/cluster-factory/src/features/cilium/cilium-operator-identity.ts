import { PodIdentityRole } from '../../constructs/pod-identity-role.js';
import { Construct } from 'constructs';
import { type IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { partitionOf } from '../../lib/private/aws.js';
import type { ExtraStatement } from '../../iam/policy-statements.js';
import { extraStatementsOf } from '../../iam/controller-identities.js';
import { CILIUM_OPERATOR_IDENTITY } from './identity.js';

export interface CiliumOperatorIdentityProps {
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  readonly vpcId: string;
  /** The platform team's statements (config `iam.extra_statements.cilium_operator`). @default none */
  readonly extraStatements?: readonly ExtraStatement[];
}

/** The service account the Cilium chart creates for its operator. */
export const CILIUM_OPERATOR_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'cilium-operator' } as const;

/**
 * The EC2 permissions the Cilium operator needs for ENI IPAM, granted to its service account
 * alone through EKS Pod Identity. Writes are scoped to this account, region and VPC; nodes get
 * no ENI permissions at all. Checked in tests against Cilium's "Required Privileges" list
 * (reference/cilium-1.19/eni-operator-privileges.json):
 * - reads cannot be scoped (EC2 Describe* and GetManagedPrefixListEntries take `*`);
 * - the operator tags ENIs in the CreateNetworkInterface call itself (TagSpecifications,
 *   pkg/aws/ec2), so CreateTags is allowed only as part of that call;
 * - DescribeInstances is not in the unconditional list but pkg/aws/ec2 lists instances' ENIs
 *   with it; DescribeTags serves ENI garbage collection; UnassignPrivateIpAddresses serves
 *   `eni.awsReleaseExcessIPs`, which this project turns on.
 */
export function ciliumOperatorPolicy(props: CiliumOperatorIdentityProps): object {
  const arn = (resource: string) => `arn:${partitionOf(props.region)}:ec2:${props.region}:${props.accountId}:${resource}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DescribeForIpam',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeInstances',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeManagedPrefixLists',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeRouteTables',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeTags',
          'ec2:DescribeVpcs',
          'ec2:GetManagedPrefixListEntries',
        ],
        Resource: '*',
      },
      {
        Sid: 'CreateEnisInClusterVpc',
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkInterface',
        Resource: [arn('subnet/*'), arn('security-group/*')],
        Condition: { StringEquals: { 'ec2:Vpc': arn(`vpc/${props.vpcId}`) } },
      },
      {
        Sid: 'CreateEnis',
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkInterface',
        Resource: arn('network-interface/*'),
      },
      {
        Sid: 'TagOnlyNewEnis',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: arn('network-interface/*'),
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkInterface' } },
      },
      {
        Sid: 'ManageEnis',
        Effect: 'Allow',
        Action: [
          'ec2:AssignPrivateIpAddresses',
          'ec2:AttachNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:ModifyNetworkInterfaceAttribute',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: [arn('network-interface/*'), arn('instance/*')],
      },
    ],
  };
}

/** IAM role of the Cilium operator in ENI mode, bound to its service account. */
export class CiliumOperatorIdentity extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: CiliumOperatorIdentityProps) {
    super(scope, id);
    this.role = new PodIdentityRole(this, 'identity', {
      clusterName: props.clusterName,
      region: props.region,
      roleName: `${props.clusterName}-cilium-operator`,
      serviceAccount: CILIUM_OPERATOR_SERVICE_ACCOUNT,
      inlinePolicy: { name: 'cilium-eni-ipam', document: ciliumOperatorPolicy(props) },
      extraStatements: extraStatementsOf({ cilium_operator: props.extraStatements }, CILIUM_OPERATOR_IDENTITY),
    }).role;
  }
}
