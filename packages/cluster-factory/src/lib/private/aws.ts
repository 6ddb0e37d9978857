import { Fn, Token } from 'cdktf';

/** Policy documents by the string a resource receives, so policy checks can read them. */
const POLICY_DOCUMENTS = new Map<string, object>();

/**
 * An IAM policy document as a resource argument: plain JSON when it has no tokens, else
 * `jsonencode(...)` so references resolve. Either way the document itself stays readable to
 * the policy rules (policy/rules.ts) through `policyDocumentOf`.
 */
export function iamPolicyJson(document: object): string {
  const json = JSON.stringify(document);
  const value = Token.isUnresolved(json) ? Fn.jsonencode(document) : json;
  POLICY_DOCUMENTS.set(value, document);
  return value;
}

/** The document behind a policy argument, when it was built by iamPolicyJson or is plain JSON. */
export function policyDocumentOf(value: unknown): object | undefined {
  if (typeof value !== 'string') return undefined;
  const known = POLICY_DOCUMENTS.get(value);
  if (known) return known;
  try {
    return JSON.parse(value) as object;
  } catch {
    return undefined;
  }
}

/** The AWS partition of a region, known at synth time so no API call is needed. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The EC2 service principal of the region's partition: `ec2.amazonaws.com.cn` in China
 * (the upstream Karpenter CloudFormation writes it as `ec2.${AWS::URLSuffix}`).
 */
export function ec2ServicePrincipal(region: string): string {
  return partitionOf(region) === 'aws-cn' ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com';
}

/** ARN of an AWS-managed IAM policy in the region's partition. */
export function managedPolicyArn(region: string, name: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${name}`;
}

/** A trust policy that lets one AWS service assume a role. */
export function serviceTrustPolicy(...services: string[]): string {
  return iamPolicyJson({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: services.length === 1 ? services[0] : services },
        Action: services.includes('pods.eks.amazonaws.com') ? ['sts:AssumeRole', 'sts:TagSession'] : 'sts:AssumeRole',
      },
    ],
  });
}
