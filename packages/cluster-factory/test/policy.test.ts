import { describe, expect, test } from 'vitest';
import { Aspects, Testing, type App } from 'cdktf';
import { EnvironmentStack } from '../src/stacks/environment-stack.js';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { PolicyAspect } from '../src/policy/aspect.js';
import { POLICY_RULES } from '../src/policy/rules.js';
import { suppressPolicy } from '../src/policy/suppress.js';
import { iamPolicyJson } from '../src/lib/private/aws.js';
import { StateBucketStack } from '../src/stacks/state-bucket-stack.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { sandboxConfig } from './fixtures.js';

/** A stack of an environment named `test`, protected or not (the environment's name plays no part). */
class TestStack extends EnvironmentStack {
  constructor(scope: App, kind: string, protectedEnvironment = false) {
    super(scope, kind, { environment: 'test', region: 'us-east-1', accountId: '111111111111', stateBucket: 'b', stateRegion: 'us-east-1', tags: {}, protected: protectedEnvironment });
  }
}

function findings(build: (stack: TestStack) => void, protectedEnvironment = false) {
  const app = Testing.app();
  const stack = new TestStack(app, 'x', protectedEnvironment);
  build(stack);
  const aspect = new PolicyAspect();
  Aspects.of(stack).add(aspect);
  let error: string | undefined;
  try {
    app.synth();
  } catch (thrown) {
    error = (thrown as Error).message;
  }
  return { findings: aspect.report().findings, error };
}

const cluster = (stack: TestStack, overrides: Record<string, unknown> = {}) =>
  new EksCluster(stack, 'cluster', {
    name: 'c',
    roleArn: 'arn:aws:iam::1:role/r',
    version: '1.35',
    upgradePolicy: { supportType: 'EXTENDED' },
    enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: 'arn:k' } },
    vpcConfig: { subnetIds: ['s'], endpointPublicAccess: false },
    ...overrides,
  });

describe('policy rules', () => {
  test('every rule has an id, a fix, and a unique id', () => {
    expect(new Set(POLICY_RULES.map((rule) => rule.id)).size).toBe(POLICY_RULES.length);
    for (const rule of POLICY_RULES) expect(rule.fix.length).toBeGreaterThan(10);
  });

  test.each([
    ['EKS-001', (s: TestStack) => cluster(s, { enabledClusterLogTypes: ['api'] }), 'log types not enabled: audit, authenticator, controllerManager, scheduler'],
    ['EKS-002', (s: TestStack) => cluster(s, { vpcConfig: { subnetIds: ['s'], endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] } }), 'the public endpoint accepts 0.0.0.0/0'],
    ['EKS-004', (s: TestStack) => cluster(s, { encryptionConfig: undefined }), 'secrets are not encrypted with KMS'],
    ['EKS-005', (s: TestStack) => cluster(s, { version: '1.27' }), 'version 1.27 is not in the EKS calendar'],
    ['EKS-006', (s: TestStack) => cluster(s, { upgradePolicy: undefined }), 'no upgrade_policy.support_type'],
    ['EKS-007', (s: TestStack) => new EksAddon(s, 'coredns', { clusterName: 'c', addonName: 'coredns' }), 'add-on coredns has no addon_version'],
    [
      'NODE-004',
      (s: TestStack) => new EksNodeGroup(s, 'ng', { clusterName: 'c', nodeRoleArn: 'arn:r', subnetIds: ['s'], scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 } }),
      'no version',
    ],
    [
      'NODE-001',
      (s: TestStack) =>
        new EksNodeGroup(s, 'ng', { clusterName: 'c', version: '1.35', nodeRoleArn: 'arn:r', subnetIds: ['s'], scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 }, remoteAccess: { ec2SshKey: 'k' } }),
      'remote_access opens SSH to any address',
    ],
    ['NODE-002', (s: TestStack) => new VpcSecurityGroupIngressRule(s, 'ssh', { securityGroupId: 'sg', cidrIpv4: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22 }), 'SSH is open to 0.0.0.0/0'],
    ['NODE-003', (s: TestStack) => new LaunchTemplate(s, 'lt', { metadataOptions: { httpTokens: 'optional' } }), 'IMDSv1 is allowed'],
    ['KMS-001', (s: TestStack) => new KmsKey(s, 'key', {}), 'key rotation is off'],
    ['IAM-001', (s: TestStack) => new IamRolePolicy(s, 'p', { role: 'r', policy: iamPolicyJson({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }), 'statement 1 allows "*" on "*"'],
    [
      'IAM-001',
      (s: TestStack) =>
        new IamRolePolicy(s, 'p', {
          role: 'r',
          policy: iamPolicyJson({
            Statement: [
              { Sid: 'Reads', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
              { Sid: 'AllOfS3', Effect: 'Allow', Action: ['s3:*', 's3:GetObject'], Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'] },
              { Sid: 'DenyIsFine', Effect: 'Deny', Action: '*', Resource: '*' },
              { Sid: 'AllButIam', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
            ],
          }),
        }),
      'statement "AllOfS3" allows "s3:*" on "arn:aws:s3:::a", "arn:aws:s3:::a/*"; statement "AllButIam" allows every action but iam:* (NotAction) on "*"',
    ],
    [
      'IAM-002',
      (s: TestStack) => new IamRolePolicy(s, 'p', { role: 'r', policy: iamPolicyJson({ Statement: [{ Effect: 'Allow', Action: ['ec2:TerminateInstances', 'ec2:DescribeInstances'], Resource: '*' }] }) }),
      'write actions on "*": ec2:TerminateInstances',
    ],
  ])('%s fires, and fails synth with its message', (ruleId, build, problem) => {
    const result = findings(build);
    const finding = result.findings.find((candidate) => candidate.ruleId === ruleId)!;
    expect(finding).toMatchObject({ ruleId, status: 'violation', severity: 'error' });
    expect(finding.message).toContain(`: ${problem}. Fix: `);
    expect(result.error).toContain(`[${ruleId}`);
  });

  test('a bare bucket breaks the state-bucket rules (encryption, versioning, public access)', () => {
    const result = findings((s) => {
      const bucket = new S3Bucket(s, 'b', { bucket: 'b' });
      new S3BucketServerSideEncryptionConfigurationA(s, 'enc', { bucket: bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] });
    });
    expect(result.findings.map((finding) => `${finding.ruleId} ${finding.message.split(': ').slice(1).join(': ').split('. Fix')[0]}`).sort()).toEqual([
      'S3-002 not encrypted with KMS',
      'S3-003 versioning is not enabled',
      'S3-004 public access not blocked: block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets',
    ]);
  });

  test('the state bucket stack passes every rule', () => {
    const app = Testing.app();
    const stack = new StateBucketStack(app, { settings: { environment: 'prod', region: 'us-east-1', accountId: '1', stateBucket: 'b', stateRegion: 'us-east-1', tags: {} } });
    const aspect = new PolicyAspect();
    Aspects.of(stack).add(aspect);
    app.synth();
    expect(aspect.report().findings).toEqual([]);
  });

  test.each([
    [false, []],
    [true, ['EKS-003']],
  ])('protected %s: a public endpoint, even restricted, is an error only in a protected environment (CKV_AWS_39)', (protectedEnvironment, ruleIds) => {
    const result = findings((s) => cluster(s, { vpcConfig: { subnetIds: ['s'], endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } }), protectedEnvironment);
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(ruleIds);
    if (protectedEnvironment) {
      expect(result.error).toContain(
        '[EKS-003 / CKV_AWS_39] The public API endpoint is disabled in protected environments: a protected environment (protect_stateful_resources) exposes a public endpoint. Fix: set endpoint_access.public: false and reach the API through the VPC.',
      );
    }
  });

  test.each([
    { protectedEnvironment: false, approvedBy: undefined, status: 'suppressed' },
    { protectedEnvironment: true, approvedBy: undefined, status: 'violation' },
    { protectedEnvironment: true, approvedBy: 'SEC-1234', status: 'suppressed' },
  ])('suppressing an error rule, protected $protectedEnvironment (approvedBy $approvedBy): $status', ({ protectedEnvironment, approvedBy, status }) => {
    const result = findings((s) => {
      suppressPolicy(new KmsKey(s, 'key', {}), { ruleId: 'KMS-001', reason: 'imported key rotated by an external process', approvedBy });
    }, protectedEnvironment);
    expect(result.findings).toEqual([expect.objectContaining({ ruleId: 'KMS-001', status, ...(status === 'suppressed' ? { reason: 'imported key rotated by an external process' } : {}) })]);
    expect(result.error !== undefined).toBe(status === 'violation');
  });

  test('a suppression needs a reason', () => {
    const app = Testing.app();
    expect(() => suppressPolicy(new TestStack(app, 'x'), { ruleId: 'KMS-001', reason: ' ' })).toThrow('suppressing KMS-001 at test-x needs a reason');
  });

  test('every environment stack synthesizes with zero unsuppressed findings; the node egress suppression carries its reason', () => {
    const app = Testing.app();
    const platform = new EnvironmentPlatform(app, planPlatform(sandboxConfig()));
    const aspect = new PolicyAspect();
    for (const stack of [platform.network, platform.cluster, platform.compute]) Aspects.of(stack).add(aspect);
    app.synth();
    const report = aspect.report();
    expect(report.summary).toEqual({ errors: 0, warnings: 0, suppressed: 1 });
    expect(report.findings[0]).toMatchObject({ ruleId: 'NET-001', stack: 'sandbox-cluster', status: 'suppressed', reason: expect.stringContaining('through NAT') });
  });
});
