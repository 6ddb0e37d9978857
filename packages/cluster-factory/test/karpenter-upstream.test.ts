import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TerraformStack, Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { Release } from '@cdktf/provider-helm/lib/release';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { KARPENTER_INTERRUPTION_EVENTS, KarpenterInfrastructure, interruptionQueuePolicy, karpenterControllerPolicy } from '../src/karpenter/karpenter-infrastructure.js';
import { karpenterControllerValues } from '../src/karpenter/karpenter-addon.js';
import { resourcesOf } from '../testing/index.js';
import { chartFreeFormKeys, chartValueKeys, referenceKeyList } from '../src/kubernetes/chart-values.js';
import { KARPENTER_CHART } from '../src/versions.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';
import { normalized, type Statement } from './iam-statements.js';

/** Upstream files at the pinned tag, committed with their source (reference/karpenter-1.14.1/README.md). */
const REFERENCE = new URL(`../reference/karpenter-${KARPENTER_CHART.version}/`, import.meta.url);
const read = (file: string) => readFileSync(new URL(file, REFERENCE), 'utf8');

const CLUSTER = 'sandbox';
const ACCOUNT = '111111111111';
const NODE_ROLE_ARN = 'arn:node-role';
const QUEUE_ARN = 'arn:queue';

/** The CloudFormation template with its intrinsic functions kept as plain strings. */
interface CfnResource {
  Type: string;
  Properties: {
    PolicyDocument?: string | { Statement: Statement[] };
    EventPattern?: unknown;
    ManagedPolicyArns?: string[];
    AssumeRolePolicyDocument?: { Statement: Array<{ Principal: { Service: string } }> };
  };
}

function upstreamTemplate(): { Resources: Record<string, CfnResource> } {
  const keep = (tag: string) => ({ tag, resolve: (value: string) => value });
  return parse(read('cloudformation.yaml'), { customTags: [keep('!Sub'), keep('!GetAtt'), keep('!Ref')] });
}

/** Every controller statement of the upstream template, for this cluster, region and account. */
function upstreamControllerStatements(region: string): Statement[] {
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const substitutions: Record<string, string> = {
    ClusterName: CLUSTER,
    'AWS::Partition': partition,
    'AWS::Region': region,
    'AWS::AccountId': ACCOUNT,
    'KarpenterNodeRole.Arn': NODE_ROLE_ARN,
    'KarpenterInterruptionQueue.Arn': QUEUE_ARN,
  };
  const policies = Object.values(upstreamTemplate().Resources).filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy');
  expect(policies).toHaveLength(6);
  return policies.flatMap((policy) => {
    const text = String(policy.Properties.PolicyDocument).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const value = substitutions[name];
      if (value === undefined) throw new Error(`no substitution for \${${name}}`);
      return value;
    });
    return (JSON.parse(text) as { Statement: Statement[] }).Statement;
  });
}

/**
 * Reviewed, intentional differences from the upstream controller policy, by Sid. Each entry
 * says what ours has instead and why; anything else that differs fails the test.
 */
const INTENTIONAL_DIFFERENCES: Record<string, { why: string; ours: (region: string) => Partial<ReturnType<typeof normalized>> }> = {
  AllowPassingInstanceRole: {
    why: 'upstream allows passing the node role to ec2.amazonaws.com and ec2.amazonaws.com.cn in every partition; ours names only the partition\'s EC2 principal (narrower)',
    ours: (region) => ({ Condition: { StringEquals: { 'iam:PassedToService': region.startsWith('cn-') ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com' } } }),
  },
};

describe('Karpenter controller policy against the upstream v1.14.1 CloudFormation', () => {
  test.each(['us-west-2', 'cn-north-1'])('%s: every upstream statement, same actions, resources and conditions, apart from the reviewed differences', (region) => {
    const upstream = upstreamControllerStatements(region);
    const ours = (karpenterControllerPolicy({ clusterName: CLUSTER, region, accountId: ACCOUNT, nodeRoleArn: NODE_ROLE_ARN, queueArn: QUEUE_ARN }) as { Statement: Statement[] }).Statement;
    expect(ours.map((statement) => statement.Sid).sort()).toEqual(upstream.map((statement) => statement.Sid).sort());
    for (const expected of upstream) {
      const actual = ours.find((statement) => statement.Sid === expected.Sid)!;
      const difference = INTENTIONAL_DIFFERENCES[expected.Sid!];
      expect(normalized(actual), expected.Sid).toEqual({ ...normalized(expected), ...difference?.ours(region) });
    }
  });

  test('the reviewed differences are real differences (an entry that no longer differs must be removed)', () => {
    const upstream = upstreamControllerStatements('us-west-2');
    for (const sid of Object.keys(INTENTIONAL_DIFFERENCES)) {
      const statement = upstream.find((candidate) => candidate.Sid === sid)!;
      expect(normalized(statement), sid).not.toEqual({ ...normalized(statement), ...INTENTIONAL_DIFFERENCES[sid]!.ours('us-west-2') });
    }
  });

  test('instance profiles: tagging requires the existing profile to be this cluster\'s, in this region, for a node class', () => {
    const ours = (karpenterControllerPolicy({ clusterName: CLUSTER, region: 'us-west-2', accountId: ACCOUNT, nodeRoleArn: NODE_ROLE_ARN, queueArn: QUEUE_ARN }) as { Statement: Statement[] }).Statement;
    const tagging = ours.filter((statement) => [statement.Action].flat().includes('iam:TagInstanceProfile'));
    expect(tagging).toHaveLength(1);
    expect(tagging[0]!.Condition).toEqual({
      StringEquals: {
        'aws:ResourceTag/kubernetes.io/cluster/sandbox': 'owned',
        'aws:ResourceTag/topology.kubernetes.io/region': 'us-west-2',
        'aws:RequestTag/kubernetes.io/cluster/sandbox': 'owned',
        'aws:RequestTag/eks:eks-cluster-name': 'sandbox',
        'aws:RequestTag/topology.kubernetes.io/region': 'us-west-2',
      },
      StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
    });
    expect(ours.find((statement) => statement.Sid === 'AllowScopedResourceTagging')!.Condition!.StringEqualsIfExists).toEqual({ 'aws:RequestTag/eks:eks-cluster-name': 'sandbox' });
  });
});

describe('Karpenter AWS resources against the upstream v1.14.1 CloudFormation', () => {
  const resources = Object.values(upstreamTemplate().Resources);

  test('one EventBridge rule per upstream rule, with the same event pattern', () => {
    const upstream = resources.filter((resource) => resource.Type === 'AWS::Events::Rule').map((resource) => resource.Properties.EventPattern);
    expect(upstream).toHaveLength(5);
    expect(Object.values(KARPENTER_INTERRUPTION_EVENTS)).toEqual(expect.arrayContaining(upstream));
    expect(Object.values(KARPENTER_INTERRUPTION_EVENTS)).toHaveLength(upstream.length);
    const { compute } = synthPlatform(sandboxConfig());
    const synthesized = Object.values(resourcesOf(compute, CloudwatchEventRule)).map((rule) => JSON.parse(String(rule.event_pattern)));
    expect(synthesized).toEqual(expect.arrayContaining(upstream));
    expect(synthesized).toHaveLength(upstream.length);
  });

  test('the interruption queue policy: the upstream statements', () => {
    const upstream = (resources.find((resource) => resource.Type === 'AWS::SQS::QueuePolicy')!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const ours = (interruptionQueuePolicy(QUEUE_ARN) as { Statement: Statement[] }).Statement;
    // IAM compares condition values as strings: the template's YAML `false` is "false".
    const asStrings = (value: unknown): unknown => (value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asStrings(inner)])) : String(value));
    const comparable = (statement: Statement) => ({ Effect: statement.Effect, Action: statement.Action, Principal: statement.Principal, Condition: asStrings(statement.Condition ?? {}) });
    expect(ours.map(comparable)).toEqual(upstream.map(comparable));
    expect(ours.every((statement) => statement.Resource === QUEUE_ARN)).toBe(true);
  });

  test.each([
    ['us-west-2', 'ec2.amazonaws.com', 'arn:aws:iam::aws:policy/'],
    ['cn-north-1', 'ec2.amazonaws.com.cn', 'arn:aws-cn:iam::aws:policy/'],
  ])('%s: the node role trusts %s and has the upstream managed policies but the VPC CNI one', (region, principal, policyPrefix) => {
    const upstream = resources.find((resource) => resource.Type === 'AWS::IAM::Role')!.Properties;
    expect(upstream.AssumeRolePolicyDocument!.Statement[0]!.Principal.Service).toBe('ec2.${AWS::URLSuffix}');
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new KarpenterInfrastructure(stack, 'karpenter', { clusterName: CLUSTER, region, accountId: ACCOUNT });
    const synthesized = Testing.synth(stack);
    const nodeRole = Object.values(resourcesOf(synthesized, IamRole)).find((role) => role.name === 'sandbox-karpenter-node')!;
    expect(JSON.parse(String(nodeRole.assume_role_policy)).Statement[0].Principal).toEqual({ Service: principal });
    const attached = Object.values(resourcesOf(synthesized, IamRolePolicyAttachment)).map((attachment) => String(attachment.policy_arn)).filter((arn) => arn.startsWith(policyPrefix));
    // AmazonEKS_CNI_Policy is for aws-node on the node role; here aws-node (Fargate environments)
    // and the Cilium operator get their ENI permissions through Pod Identity instead.
    const expected = upstream.ManagedPolicyArns!.map((arn) => arn.replace('arn:${AWS::Partition}:iam::aws:policy/', policyPrefix)).filter((arn) => !arn.endsWith('/AmazonEKS_CNI_Policy'));
    expect(attached.filter((arn) => !arn.includes('karpenter')).sort()).toEqual(expected.sort());
  });

  test.each([
    [false, 0],
    [true, 1],
  ])('create_spot_service_linked_role %s: %i spot service-linked role', (create, count) => {
    const { compute } = synthPlatform(sandboxConfig({ karpenter: { ...sandboxConfig().karpenter, create_spot_service_linked_role: create } }));
    const roles = Object.values(resourcesOf(compute, IamServiceLinkedRole));
    expect(roles).toEqual(Array.from({ length: count }, () => ({ aws_service_name: 'spot.amazonaws.com' })));
  });
});

describe('Karpenter controller reaches AWS in its region', () => {
  test('AWS_REGION is set: without it the controller asks IMDS (pkg/operator/operator.go), which a pod cannot reach through one hop, and Pod Identity sets no region', () => {
    const { platform } = synthPlatform(sandboxConfig());
    const release = resourcesOf(Testing.synth(platform.platform), Release).karpenter!;
    const values = parse((release.values as string[])[0]!) as { controller: { env: Array<{ name: string; value: string }> } };
    expect(values.controller.env).toEqual([{ name: 'AWS_REGION', value: 'us-west-2' }]);
    // The chart's own example of controller.env is this variable (values.yaml at v1.14.1).
    expect(read('values.yaml')).toContain('  env: []\n  # - name: AWS_REGION');
  });
});

describe('Karpenter chart values against the v1.14.1 chart', () => {
  const keys = referenceKeyList(`karpenter-${KARPENTER_CHART.version}/values-keys.txt`);

  test('values-keys.txt is every key path of the committed values.yaml (maps walked, `[]` for list items)', () => {
    expect([...keys]).toEqual(chartValueKeys(parse(read('values.yaml'))));
  });

  test('free-form-keys.txt is every empty map or list of the committed values.yaml (read by the helm_values check)', () => {
    expect([...referenceKeyList(`karpenter-${KARPENTER_CHART.version}/free-form-keys.txt`)]).toEqual(chartFreeFormKeys(parse(read('values.yaml'))));
  });

  test('every key the project sets exists in the chart (below a free-form map or list, anything goes)', () => {
    const unknown: string[] = [];
    const walk = (node: Record<string, unknown>, prefix: string) => {
      for (const [key, value] of Object.entries(node)) {
        const path = prefix ? `${prefix}.${key}` : key;
        if (!keys.has(path)) unknown.push(path);
        // Descend only where the chart's value is a map with declared keys.
        else if (value && typeof value === 'object' && !Array.isArray(value) && [...keys].some((known) => known.startsWith(`${path}.`))) walk(value as Record<string, unknown>, path);
      }
    };
    walk(karpenterControllerValues({ clusterName: CLUSTER, interruptionQueueName: 'queue', reservedEnis: 0, region: 'us-west-2' }) as Record<string, unknown>, '');
    expect(unknown).toEqual([]);
    // The check itself catches a misspelled key.
    unknown.length = 0;
    walk({ settings: { clusterName: 'x', interruptionQueueName: 'q' } }, '');
    expect(unknown).toEqual(['settings.interruptionQueueName']);
  });
});
