import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStacks, PLUGIN_MIRROR_VARIABLE, type StackReport } from '@cilium-eks/terraform-harness';
import { APPS } from '../lib/apps.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
const ROOT = join(import.meta.dirname, '../..');

interface ResourceChange {
  type: string;
  change: { actions: string[]; after: Record<string, unknown>; after_unknown: Record<string, unknown> };
}

/** The sandbox with a statement for the Karpenter controller (compute stack) and one for the load balancer controller (cluster stack). */
const EXTRA = `
iam:
  extra_statements:
    karpenter:
      - sid: ReadTeamSecrets
        actions: [secretsmanager:GetSecretValue]
        resources: ["arn:aws:secretsmanager:us-west-2:111111111111:secret:platform/*"]
        conditions:
          StringEquals: {"aws:ResourceTag/team": platform}
    aws_load_balancer_controller:
      - sid: ReadTeamSecrets
        actions: [secretsmanager:GetSecretValue]
        resources: ["arn:aws:secretsmanager:us-west-2:111111111111:secret:platform/*"]
        conditions:
          StringEquals: {"aws:ResourceTag/team": platform}
      - sid: NoVpcDeletion
        effect: Deny
        actions: [ec2:DeleteVpc]
        resources: ["*"]
`;

/**
 * Extra IAM statements as the real terraform sees them, offline with the hashicorp/aws provider:
 * the stacks validate and plan, and the planned inline policies end with the statements.
 */
describe.skipIf(!mirror && !process.env.CI)('iam.extra_statements (real terraform, offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'iam-extra-'));
  let reports: StackReport[];
  const plannedPolicy = (stack: string, policyName: string) => {
    const report = reports.find((candidate) => candidate.stack === stack)!;
    const changes = (JSON.parse(readFileSync(report.planJson!, 'utf8')) as { resource_changes: ResourceChange[] }).resource_changes;
    return changes.find((change) => change.type === 'aws_iam_role_policy' && change.change.after.name === policyName)!.change;
  };

  beforeAll(async () => {
    const config = join(work, 'sandbox-extra-statements.yaml');
    writeFileSync(config, `${readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8')}${EXTRA}`);
    const outdir = join(work, 'cdktf.out');
    const result = APPS.sandbox!.synth({ outdir, config });
    expect(result.status, result.stderr).toBe(0);
    reports = await checkStacks({ outdir, mirror, stacks: ['sandbox-cluster', 'sandbox-compute'], planJsonDir: join(work, 'plans') });
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('both stacks validate and plan', () => {
    expect(reports.map((report) => ({ stack: report.stack, status: report.status, validated: report.validated }))).toEqual([
      { stack: 'sandbox-cluster', status: 'planned', validated: true },
      { stack: 'sandbox-compute', status: 'planned', validated: true },
    ]);
  });

  test('the planned inline policy ends with the extra statements, as written', () => {
    const statements = (JSON.parse(String(plannedPolicy('sandbox-cluster', 'aws-load-balancer-controller').after.policy)) as { Statement: object[] }).Statement;
    expect(statements.slice(-2)).toEqual([
      {
        Sid: 'ReadTeamSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: ['arn:aws:secretsmanager:us-west-2:111111111111:secret:platform/*'],
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'platform' } },
      },
      { Sid: 'NoVpcDeletion', Effect: 'Deny', Action: ['ec2:DeleteVpc'], Resource: ['*'] },
    ]);
  });

  test('the Karpenter controller policy (its queue ARN known after apply) validates with its extra statement', () => {
    expect(plannedPolicy('sandbox-compute', 'karpenter-controller')).toMatchObject({ actions: ['create'], after_unknown: { policy: true } });
  });
});
