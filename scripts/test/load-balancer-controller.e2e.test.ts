import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStacks, PLUGIN_MIRROR_VARIABLE, type StackReport } from '@cilium-eks/terraform-harness';
import { loadBalancerControllerPolicy } from '@cilium-eks/cluster-factory';
import { APPS } from '../lib/apps.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;

interface ResourceChange {
  type: string;
  change: { actions: string[]; after: Record<string, unknown> };
}

/**
 * The AWS Load Balancer Controller's AWS side (role, inline policy, Pod Identity association in
 * the cluster stack), validated and planned by the real terraform with the hashicorp/aws
 * provider: the provider checks the policy document, the association's arguments and every
 * reference, offline.
 */
describe.skipIf(!mirror && !process.env.CI)('the AWS Load Balancer Controller\'s AWS side (real terraform, offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'lbc-'));
  let report: StackReport;
  let changes: ResourceChange[];

  beforeAll(async () => {
    // The sandbox's default output (shared, read-only): the harness plans a copy of the stack.
    [report] = await checkStacks({ outdir: APPS.sandbox!.shared(), mirror, stacks: ['sandbox-cluster'], planJsonDir: join(work, 'plans') });
    changes = (JSON.parse(readFileSync(report!.planJson!, 'utf8')) as { resource_changes: ResourceChange[] }).resource_changes;
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the cluster stack validates and plans', () => {
    expect({ stack: report.stack, status: report.status, validated: report.validated }).toEqual({ stack: 'sandbox-cluster', status: 'planned', validated: true });
  });

  test('the planned role trusts only the Pod Identity agent, and its policy is the reviewed one for this account, region and VPC', () => {
    const role = changes.find((change) => change.type === 'aws_iam_role' && change.change.after.name === 'sandbox-aws-load-balancer-controller')!;
    expect(role.change.actions).toEqual(['create']);
    expect(JSON.parse(String(role.change.after.assume_role_policy)).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
    ]);
    const policy = changes.find((change) => change.type === 'aws_iam_role_policy' && change.change.after.name === 'aws-load-balancer-controller')!;
    const planned = JSON.parse(String(policy.change.after.policy)) as { Statement: Array<{ Sid: string; Condition?: { ArnEquals?: Record<string, string> } }> };
    // The VPC id is the network stack's output (a typed placeholder offline).
    const vpcArn = planned.Statement.find((statement) => statement.Sid === 'OpenSecurityGroupsInClusterVpc')!.Condition!.ArnEquals!['ec2:Vpc']!;
    expect(vpcArn).toMatch(/^arn:aws:ec2:us-west-2:111111111111:vpc\/.+$/);
    expect(planned).toEqual(loadBalancerControllerPolicy({ region: 'us-west-2', accountId: '111111111111', vpcId: vpcArn.split('/').at(-1)! }));
  });

  test('the planned association binds kube-system/aws-load-balancer-controller', () => {
    const association = changes.find((change) => change.type === 'aws_eks_pod_identity_association' && change.change.after.service_account === 'aws-load-balancer-controller')!;
    expect(association.change.after).toMatchObject({ cluster_name: 'sandbox', namespace: 'kube-system' });
  });
});
