import { Construct } from 'constructs';
import { Token, type ITerraformDependable } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { iamPolicyJson, managedPolicyArn, serviceTrustPolicy } from '../lib/private/aws.js';
import type { ExtraStatementsOf } from '../iam/controller-identities.js';
import { IAM_ROLE_INLINE_POLICY_LIMIT, TOKEN_SIZE_BOUND, policySize, policyStatement, statementProblems } from '../iam/policy-statements.js';
import { formatPath } from '../config/messages.js';

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
  /**
   * The platform team's own statements (config `iam.extra_statements.<identity>`), appended to
   * the inline policy, or the role's only inline policy (`extra-statements`) when it has none.
   * @default none
   */
  readonly extraStatements?: ExtraStatementsOf;
}

/** The inline policy name of a role that gets only extra statements. */
export const EXTRA_STATEMENTS_POLICY = 'extra-statements';

/**
 * The role's inline policy with the extra statements appended: each statement valid and its
 * sid unique within the policy, and the whole within IAM's size limit for a role's inline policies.
 */
export function inlinePolicyWithExtras(props: Pick<PodIdentityRoleProps, 'roleName' | 'region' | 'inlinePolicy' | 'extraStatements'>): PodIdentityRoleProps['inlinePolicy'] {
  const extra = props.extraStatements;
  if (!extra) return props.inlinePolicy;
  const fieldPath = ['iam', 'extra_statements', extra.identity];
  const field = formatPath(fieldPath);
  const role = `the ${extra.identity} role${Token.isUnresolved(props.roleName) ? '' : ` ${props.roleName}`}`;
  const base = (props.inlinePolicy?.document ?? { Version: '2012-10-17', Statement: [] }) as { Statement?: unknown };
  const platformStatements = (Array.isArray(base.Statement) ? base.Statement : base.Statement ? [base.Statement] : []) as Array<{ Sid?: string }>;
  const name = props.inlinePolicy?.name ?? EXTRA_STATEMENTS_POLICY;
  const reserved = new Map(platformStatements.flatMap((statement) => (statement.Sid ? [[statement.Sid, name] as const] : [])));
  const problems = statementProblems(extra.statements, props.region, reserved);
  if (problems.length > 0) throw new Error(`${role}: ${problems.map((problem) => `${formatPath([...fieldPath, ...problem.path])}: ${problem.message}`).join('; ')}`);
  const document = { ...base, Statement: [...platformStatements, ...extra.statements.map(policyStatement)] };
  const size = policySize(document);
  if (size > IAM_ROLE_INLINE_POLICY_LIMIT) {
    throw new Error(
      `${role} (${extra.role}): its inline policy ${name} would be ${size} characters without whitespace (values known at apply time counted as ${TOKEN_SIZE_BOUND}), over IAM's limit of ${IAM_ROLE_INLINE_POLICY_LIMIT} for a role's inline policies (AWS IAM User Guide, "IAM and AWS STS quotas"); shorten ${field}: fewer statements, or statements merged (one statement, several actions and resources)`,
    );
  }
  return { name, document };
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
    const inlinePolicy = inlinePolicyWithExtras(props);
    if (inlinePolicy) {
      new IamRolePolicy(this, 'policy', { role: this.role.name, name: inlinePolicy.name, policy: iamPolicyJson(inlinePolicy.document) });
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
