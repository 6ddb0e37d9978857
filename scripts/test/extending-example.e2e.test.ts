import { beforeAll, describe, expect, test } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkStacks, PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { skippedWhen } from '../../vitest.shared.js';
import { APPS } from '../lib/apps.js';
import { EXTENDING_EXAMPLE } from '../lib/docs-pages.js';
import { nodePoolChartObjects } from './support/node-pool-chart.js';

const ROOT = join(import.meta.dirname, '../..');
const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;

interface Release {
  name: string;
  namespace?: string;
  chart: string;
  version?: string;
  values?: string[];
  depends_on?: string[];
}
interface StackJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

const stack = (outdir: string, name: string) => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as StackJson;
const releases = (json: StackJson) => Object.entries(json.resource.helm_release ?? {}) as unknown as Array<[string, Release]>;
const release = (json: StackJson, name: string) => releases(json).find(([, value]) => value.name === name)!;
const valuesOf = (json: StackJson, name: string) => parse(release(json, name)[1].values![0]!) as Record<string, Record<string, unknown>>;

/**
 * docs/EXTENDING.md's example environment, the sandbox with every escape hatch, synthesized
 * through the sandbox app's entry work: each hatch reaches the synthesized JSON, and the AWS
 * stacks validate and plan with the real terraform (hashicorp/aws 5.100.0 from the offline mirror).
 */
describe('docs/examples/extending/sandbox.yaml, every escape hatch', skippedWhen(mirror || process.env.CI ? undefined : `${PLUGIN_MIRROR_VARIABLE} is not set`), () => {
  const outdir = join(mkdtempSync(join(tmpdir(), 'extending-')), 'cdktf.out');
  let result: { status: number | null; stderr: string };
  beforeAll(() => {
    result = APPS.sandbox!.synth({ outdir, config: join(ROOT, EXTENDING_EXAMPLE) });
  });

  test('synthesizes; each hatch is in the synthesized stacks', () => {
    expect(result.status, result.stderr).toBe(0);

    // helm_values, merged last over the platform's values.
    const cni = stack(outdir, 'sandbox-cni');
    expect(valuesOf(cni, 'cilium')).toMatchObject({ bandwidthManager: { enabled: true }, loadBalancer: { algorithm: 'maglev' }, ipam: { mode: 'eni' } });
    const platform = stack(outdir, 'sandbox-platform');
    expect(valuesOf(platform, 'karpenter')).toMatchObject({ logLevel: 'debug', settings: { clusterName: 'sandbox' } });
    expect(valuesOf(platform, 'aws-load-balancer-controller')).toMatchObject({ replicaCount: 3, clusterName: 'sandbox' });
    expect(valuesOf(platform, 'argocd')).toEqual({ configs: { params: { 'server.insecure': false } }, dex: { enabled: false }, server: { replicas: 2 } });

    // iam.extra_statements: the last statement of the Karpenter controller's inline policy.
    const compute = stack(outdir, 'sandbox-compute');
    const controllerPolicy = Object.values(compute.resource.aws_iam_role_policy!).find((policy) => policy.name === 'karpenter-controller')!;
    expect(String(controllerPolicy.policy)).toMatch(
      /\{"Sid" = "ReadTeamSecrets", "Effect" = "Allow", "Action" = \["secretsmanager:GetSecretValue"\], "Resource" = \["arn:aws:secretsmanager:us-west-2:111111111111:secret:platform\/\*"\], "Condition" = \{"StringEquals" = \{"aws:ResourceTag\/team" = "platform"\}\}\}\]\}\)\}$/,
    );

    // user_addons: after every release of the platform, team-quotas after cert-manager.
    const platformReleases = releases(platform).filter(([, value]) => !['cert-manager', 'team-quotas'].includes(value.name)).map(([id]) => `helm_release.${id}`);
    const [certManagerId, certManager] = release(platform, 'cert-manager');
    expect(certManager).toMatchObject({ namespace: 'cert-manager', chart: 'cert-manager', version: 'v1.16.2', repository: 'https://charts.jetstack.io', values: ['crds:\n  enabled: true\n'] });
    expect(certManager.depends_on).toEqual(expect.arrayContaining(platformReleases));
    expect(release(platform, 'team-quotas')[1].depends_on).toEqual(expect.arrayContaining([...platformReleases, `helm_release.${certManagerId}`]));

    // karpenter.node_pools: the team's NodePool as it reaches the cluster.
    const pools = nodePoolChartObjects<{ kind: string; metadata: { name: string }; spec: Record<string, unknown> }>(outdir, 'sandbox-platform').filter((object) => object.kind === 'NodePool');
    expect(pools.map((pool) => pool.metadata.name)).toEqual(['general', 'batch-arm64']);
    const batch = pools[1]!.spec as { weight: number; template: { metadata: { labels: Record<string, string> }; spec: { taints: unknown[]; requirements: Array<{ key: string; operator: string; values?: string[] }> } } };
    expect(batch.weight).toBe(10);
    expect(batch.template.metadata.labels).toMatchObject({ workload: 'batch' });
    expect(batch.template.spec.taints).toEqual([{ key: 'workload', value: 'batch', effect: 'NoSchedule' }]);
    expect(batch.template.spec.requirements).toEqual(
      expect.arrayContaining([
        { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
        { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['4'] },
      ]),
    );
  });

  test('user_addons values_schema: the example\'s cert-manager values match its schema; a variant\'s value it refuses fails the load at that value', () => {
    expect(result.status, result.stderr).toBe(0);
    const example = readFileSync(join(ROOT, EXTENDING_EXAMPLE), 'utf8');
    expect(parse(example).user_addons.helm_charts[0].values_schema).toBe('addons/cert-manager.values.schema.json');
    const dir = mkdtempSync(join(tmpdir(), 'extending-schema-'));
    cpSync(join(ROOT, 'docs/examples/extending/addons'), join(dir, 'addons'), { recursive: true });
    const variant = join(dir, 'sandbox.yaml');
    const line = 'crds: {enabled: true}';
    writeFileSync(variant, example.replace(line, 'crds: {enabled: "true"}'));
    const lines = example.split('\n');
    const at = lines.findIndex((text) => text.includes(line));
    const refused = APPS.sandbox!.synth({ outdir: join(dir, 'cdktf.out'), config: variant });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `${variant}:${at + 1}:${lines[at]!.indexOf('true') + 1}: user_addons.helm_charts[0].values.crds.enabled: Instance type "string" is invalid. Expected "boolean". (values_schema addons/cert-manager.values.schema.json)\n`,
    );
  });

  test('its AWS stacks validate and plan with the real terraform', async () => {
    expect(result.status, result.stderr).toBe(0);
    const reports = await checkStacks({ outdir, mirror });
    expect(reports.filter((report) => report.status === 'failed').map((report) => `${report.stack}: ${report.detail}`)).toEqual([]);
    expect(reports.filter((report) => report.status === 'planned').map((report) => report.stack).sort()).toEqual(['sandbox-cluster', 'sandbox-compute', 'sandbox-network', 'sandbox-state']);
  }, 300_000);
});
