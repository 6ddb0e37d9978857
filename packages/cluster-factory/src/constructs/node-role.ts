import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { ec2ServicePrincipal, managedPolicyArn, serviceTrustPolicy } from '../lib/private/aws.js';

export interface NodeRoleProps {
  readonly name: string;
  readonly region: string;
}

/**
 * The IAM role of EC2 worker nodes. It carries no ENI permissions in any mode: aws-node
 * (VPC CNI) and the Cilium operator (ENI mode) get theirs through EKS Pod Identity.
 */
export class NodeRole extends Construct {
  readonly role: IamRole;
  /** The managed-policy attachments, by policy name. */
  readonly attachments: ReadonlyMap<string, IamRolePolicyAttachment>;

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', { name: props.name, assumeRolePolicy: serviceTrustPolicy(ec2ServicePrincipal(props.region)) });
    const policies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore'];
    this.attachments = new Map(policies.map((policy) => [policy, new IamRolePolicyAttachment(this, policy, { role: this.role.name, policyArn: managedPolicyArn(props.region, policy) })]));
  }
}
