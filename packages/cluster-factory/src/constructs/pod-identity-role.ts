import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { iamPolicyJson, managedPolicyArn, serviceTrustPolicy } from '../lib/private/aws.js';

export interface PodIdentityRoleProps {
  readonly clusterName: string;
  readonly region: string;
  readonly roleName: string;
  /** The service account whose pods get the role. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** AWS-managed policies, by name (e.g. `AmazonEKS_CNI_Policy`). @default [] */
  readonly managedPolicies?: readonly string[];
  /** One inline policy, for permissions scoped to this cluster. @default none */
  readonly inlinePolicy?: { readonly name: string; readonly document: object };
  /**
   * Create the Pod Identity association. False when an EKS add-on binds the role itself
   * (its `pod_identity_association` block). @default true
   */
  readonly associate?: boolean;
  /** What the association must wait for (e.g. the Pod Identity agent add-on). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: trusted only by
 * the Pod Identity agent, never attached to node roles.
 */
export class PodIdentityRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', { name: props.roleName, assumeRolePolicy: serviceTrustPolicy('pods.eks.amazonaws.com') });
    for (const policy of props.managedPolicies ?? []) {
      new IamRolePolicyAttachment(this, policy.replace(/\W/g, '-'), { role: this.role.name, policyArn: managedPolicyArn(props.region, policy) });
    }
    if (props.inlinePolicy) {
      new IamRolePolicy(this, 'policy', { role: this.role.name, name: props.inlinePolicy.name, policy: iamPolicyJson(props.inlinePolicy.document) });
    }
    if (props.associate ?? true) {
      new EksPodIdentityAssociation(this, 'association', {
        clusterName: props.clusterName,
        namespace: props.serviceAccount.namespace,
        serviceAccount: props.serviceAccount.name,
        roleArn: this.role.arn,
        dependsOn: props.dependsOn,
      });
    }
  }
}
