import { describe, expect, test } from 'vitest';
import { Aspects, Testing } from 'cdktf';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { resourcesOf } from '../testing/index.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { PolicyAspect } from '../src/policy/aspect.js';
import { IAM_ROLE_INLINE_POLICY_LIMIT, TOKEN_SIZE_BOUND, isConditionOperator, policySize } from '../src/iam/policy-statements.js';
import { karpenterControllerPolicy } from '../src/karpenter/karpenter-infrastructure.js';
import { loadBalancerControllerPolicy } from '../src/features/load-balancer-controller/load-balancer-controller-policy.js';
import { ciliumOperatorPolicy } from '../src/features/cilium/cilium-operator-identity.js';
import grammar from '../reference/aws-iam/policy-grammar.json' with { type: 'json' };
import { sandboxConfig, sandboxProblems, synthPlatform } from './fixtures.js';

const SECRETS = {
  sid: 'ReadTeamSecrets',
  actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
  resources: ['arn:aws:secretsmanager:us-west-2:111111111111:secret:platform/*'],
  conditions: { StringEquals: { 'aws:ResourceTag/team': 'platform' } },
};
/** SECRETS as the synthesized policy's jsonencode(...) renders it. */
const SECRETS_HCL =
  '{"Sid" = "ReadTeamSecrets", "Effect" = "Allow", "Action" = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource" = ["arn:aws:secretsmanager:us-west-2:111111111111:secret:platform/*"], "Condition" = {"StringEquals" = {"aws:ResourceTag/team" = "platform"}}}';

const policies = (stack: string) => Object.values(resourcesOf(stack, IamRolePolicy));
const policyNamed = (stack: string, name: string) => policies(stack).find((policy) => policy.name === name)!;

const problemsOf = sandboxProblems;

describe('iam.extra_statements: accepted statements land in the role\'s inline policy', () => {
  test('karpenter: appended after the controller policy\'s own statements', () => {
    const { compute } = synthPlatform(sandboxConfig({ iam: { extra_statements: { karpenter: [SECRETS] } } }));
    const policy = String(policyNamed(compute, 'karpenter-controller').policy);
    expect(policy.endsWith(`{"Sid" = "AllowAPIServerEndpointDiscovery", "Effect" = "Allow", "Action" = "eks:DescribeCluster", "Resource" = "arn:aws:eks:us-west-2:111111111111:cluster/sandbox"}, ${SECRETS_HCL}]})}`)).toBe(true);
    expect(policies(compute)).toHaveLength(1);
  });

  test('cilium_operator and aws_load_balancer_controller: appended in the cluster stack; a Deny statement keeps its effect', () => {
    const deny = { sid: 'NoDeletes', effect: 'Deny', actions: ['ec2:DeleteVpc'], resources: ['*'] };
    const { cluster } = synthPlatform(sandboxConfig({ iam: { extra_statements: { cilium_operator: [SECRETS], aws_load_balancer_controller: [deny] } } }));
    expect(String(policyNamed(cluster, 'cilium-eni-ipam').policy).endsWith(`, ${SECRETS_HCL}]})}`)).toBe(true);
    expect(String(policyNamed(cluster, 'aws-load-balancer-controller').policy).endsWith(', {"Sid" = "NoDeletes", "Effect" = "Deny", "Action" = ["ec2:DeleteVpc"], "Resource" = ["*"]}]})}')).toBe(true);
  });

  test('ebs_csi_driver: a role with managed policies only gets its own inline policy, extra-statements', () => {
    const { compute } = synthPlatform(sandboxConfig({ cilium: { gateway_api: true, mutual_auth: true }, iam: { extra_statements: { ebs_csi_driver: [SECRETS] } } }));
    const policy = policyNamed(compute, 'extra-statements');
    expect(policy.role).toBe('${aws_iam_role.ebs-csi-identity_role_31784ADF.name}');
    expect(JSON.parse(String(policy.policy))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'ReadTeamSecrets', Effect: 'Allow', Action: SECRETS.actions, Resource: SECRETS.resources, Condition: SECRETS.conditions }],
    });
  });

  test('vpc_cni: without Cilium the aws-node role gets extra-statements in the cluster stack', () => {
    const { cluster } = synthPlatform(sandboxConfig({ enable_cilium: false, cilium: {}, platform: {}, iam: { extra_statements: { vpc_cni: [SECRETS] } } }));
    expect(policyNamed(cluster, 'extra-statements').role).toBe('${aws_iam_role.vpc-cni-identity_role_F5DBC3BD.name}');
  });

  test('no statements, no change: the roles keep their policies as they are', () => {
    const { compute } = synthPlatform(sandboxConfig());
    const { compute: withEmpty } = synthPlatform(sandboxConfig({ iam: { extra_statements: { karpenter: [] } } }));
    expect(withEmpty).toBe(compute);
  });
});

describe('iam.extra_statements: refused at config load, each at its field', () => {
  test.each([
    [
      'a sid used twice in the list',
      { karpenter: [SECRETS, { ...SECRETS, actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }] },
      ['iam.extra_statements.karpenter[1].sid: "ReadTeamSecrets" is already the sid of statement [0]: statement ids must be unique within the role\'s policy'],
    ],
    ['a sid outside IAM\'s alphabet', { karpenter: [{ ...SECRETS, sid: 'read-secrets' }] }, ['iam.extra_statements.karpenter[0].sid: "read-secrets" is not a statement id: use ASCII letters and digits only (IAM\'s Sid alphabet)']],
    [
      'an action that is not service:Action',
      { karpenter: [{ ...SECRETS, actions: ['GetSecretValue', 'secretsmanager:Get Secret'] }] },
      [
        'iam.extra_statements.karpenter[0].actions[0]: "GetSecretValue" is not an IAM action: write service:Action, e.g. ec2:DescribeInstances (wildcards * and ? allowed in the action name)',
        'iam.extra_statements.karpenter[0].actions[1]: "secretsmanager:Get Secret" is not an IAM action: write service:Action, e.g. ec2:DescribeInstances (wildcards * and ? allowed in the action name)',
      ],
    ],
    [
      'a resource that is not an ARN',
      { karpenter: [{ ...SECRETS, resources: ['platform/*'] }] },
      ['iam.extra_statements.karpenter[0].resources[0]: "platform/*" is not a resource: give an ARN (arn:partition:service:region:account:resource) or "*"'],
    ],
    [
      'an ARN of another partition',
      { karpenter: [{ ...SECRETS, resources: ['arn:aws-cn:s3:::bucket'] }] },
      ['iam.extra_statements.karpenter[0].resources[0]: "arn:aws-cn:s3:::bucket" is in partition aws-cn, but region us-west-2 is in partition aws'],
    ],
    [
      'an unknown condition operator',
      { karpenter: [{ ...SECRETS, conditions: { StringEqual: { 'aws:ResourceTag/team': 'platform' } } }] },
      [
        `iam.extra_statements.karpenter[0].conditions.StringEqual: "StringEqual" is not an IAM condition operator (allowed: ${grammar.conditionOperators.operators.join(', ')}; with the suffix IfExists except Null; with the prefix ForAllValues: or ForAnyValue:)`,
      ],
    ],
    [
      'a character IAM does not accept in a policy',
      { karpenter: [{ ...SECRETS, conditions: { StringEquals: { 'aws:ResourceTag/team': 'plätform→' } } }] },
      ['iam.extra_statements.karpenter[0]: contains "→" (U+2192), a character IAM does not accept in a policy document (allowed: tab, line feed, carriage return, U+0020 to U+00FF)'],
    ],
    ['no action', { karpenter: [{ ...SECRETS, actions: [] }] }, ['iam.extra_statements.karpenter[0].actions: must list at least one action']],
    [
      'a role this environment does not have',
      { ebs_csi_driver: [SECRETS] },
      ['iam.extra_statements.ebs_csi_driver: this environment has no role for the EBS CSI driver: it exists with Cilium with cilium.mutual_auth: true (SPIRE\'s volume)'],
    ],
    [
      'an unknown role',
      { external_dns: [SECRETS] },
      ['iam.extra_statements.external_dns: unknown key (allowed here: aws_load_balancer_controller, cilium_operator, ebs_csi_driver, karpenter, vpc_cni)'],
    ],
  ])('%s', (_case, extra, problems) => {
    expect(problemsOf({ iam: { extra_statements: extra } })).toEqual(problems);
  });

  test('condition operators: IfExists on all but Null, the set prefixes', () => {
    expect(['StringEqualsIfExists', 'ForAnyValue:StringLike', 'ForAllValues:ArnLikeIfExists', 'Null', 'Bool'].map(isConditionOperator)).toEqual([true, true, true, true, true]);
    expect(['NullIfExists', 'StringEqual', 'ForEveryValue:StringLike', 'stringequals'].map(isConditionOperator)).toEqual([false, false, false, false]);
  });
});

describe('iam.extra_statements: refused at synth', () => {
  const platformOf = (extra: Record<string, unknown>) => () => new EnvironmentPlatform(Testing.app(), planPlatform(sandboxConfig({ iam: { extra_statements: extra } })));

  test('a sid of the platform\'s own policy', () => {
    expect(platformOf({ karpenter: [{ ...SECRETS, sid: 'AllowSSMReadActions' }] })).toThrow(
      new Error('the karpenter role sandbox-karpenter: iam.extra_statements.karpenter[0].sid: "AllowSSMReadActions" is already a statement of the platform\'s policy karpenter-controller: statement ids must be unique within the role\'s policy'),
    );
  });

  test('an inline policy over IAM\'s limit after the statements are added', () => {
    const many = Array.from({ length: 16 }, (_, index) => ({ ...SECRETS, sid: `ReadTeamSecrets${index}` }));
    expect(platformOf({ karpenter: many })).toThrow(
      new Error(
        `the karpenter role sandbox-karpenter (the Karpenter controller): its inline policy karpenter-controller would be 10297 characters without whitespace (values known at apply time counted as ${TOKEN_SIZE_BOUND}), over IAM's limit of 10240 for a role's inline policies (AWS IAM User Guide, "IAM and AWS STS quotas"); shorten iam.extra_statements.karpenter: fewer statements, or statements merged (one statement, several actions and resources)`,
      ),
    );
    // One statement fewer fits.
    expect(platformOf({ karpenter: many.slice(1) })).not.toThrow();
  });

  test.each([
    [[{ sid: 'Everything', actions: ['*'], resources: ['*'] }], 'statement "Everything" allows "*" on "*"'],
    [[{ sid: 'AllOfIam', actions: ['iam:*', 'sts:AssumeRole'], resources: ['*'] }], 'statement "AllOfIam" allows "iam:*" on "*"'],
  ])('the policy pack refuses "*" and service-wide actions: %j', (statements, problem) => {
    const app = Testing.app();
    const platform = new EnvironmentPlatform(app, planPlatform(sandboxConfig({ iam: { extra_statements: { karpenter: statements } } })));
    const aspect = new PolicyAspect();
    Aspects.of(platform.compute).add(aspect);
    expect(() => app.synth()).toThrow();
    expect(aspect.report().findings.filter((finding) => finding.status === 'violation').map((finding) => finding.message)).toEqual([
      `[IAM-001 / CKV_AWS_62, CKV_AWS_63] No IAM policy grants "*" actions (full admin): ${problem}. Fix: list the actions the principal needs.`,
      `[IAM-002 / CKV_AWS_355, CKV_AWS_290] Write actions are not granted on "*" without a condition: write actions on "*": ${statements[0]!.actions.join(', ')}. Fix: scope Resource to ARNs, or add a Condition (tags, region) to the statement.`,
    ]);
  });
});

describe('the IAM limit and what the platform\'s policies leave of it', () => {
  test('the limit is the committed quota; whitespace is not counted; tokens count as their bound', () => {
    expect(IAM_ROLE_INLINE_POLICY_LIMIT).toBe(10240);
    expect(grammar.roleInlinePolicies).toMatchObject({ aggregateCharacters: 10240, whitespaceCounted: false });
    expect(policySize({ A: 'x y' })).toBe('{"A":"xy"}'.length);
    expect(policySize({ A: `arn:${'${TfToken[TOKEN.12]}'}` })).toBe(`{"A":"arn:${'x'.repeat(TOKEN_SIZE_BOUND)}"}`.length);
  });

  test('every platform policy fits with room for extra statements', () => {
    const token = '${TfToken[TOKEN.1]}';
    const sizes = [
      policySize(karpenterControllerPolicy({ clusterName: 'sandbox', region: 'us-west-2', accountId: '111111111111', nodeRoleArn: token, queueArn: token })),
      policySize(loadBalancerControllerPolicy({ region: 'us-west-2', accountId: '111111111111', vpcId: token })),
      policySize(ciliumOperatorPolicy({ clusterName: token, region: 'us-west-2', accountId: '111111111111', vpcId: token })),
    ];
    expect(sizes.every((size) => size < IAM_ROLE_INLINE_POLICY_LIMIT * 0.7)).toBe(true);
  });
});
