import { describe, expect, test } from 'vitest';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { runBothEntryPoints } from '@cilium-eks/cluster-factory/testing/app-process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AL2023_AMI_RELEASE } from '@cilium-eks/cluster-factory';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('prod app', () => {
  test('synthesizes its stacks through the real entry point (main.ts under tsx, and the bundle the synth target runs, byte-identical), with the hardened settings', async () => {
    const { tsx, bundle } = await runBothEntryPoints(APP_DIR, mkdtempSync(join(tmpdir(), 'prod-')));
    expect(tsx.status, tsx.stderr).toBe(0);
    expect({ ...bundle, outdir: tsx.outdir }).toEqual(tsx);
    expect(directorySnapshot(bundle.outdir)).toEqual(directorySnapshot(tsx.outdir));
    const outdir = tsx.outdir;
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(['prod-cluster', 'prod-cni', 'prod-compute', 'prod-network', 'prod-platform', 'prod-state']);
    const cluster = JSON.parse(readFileSync(join(outdir, 'stacks/prod-cluster/cdk.tf.json'), 'utf8')) as {
      resource: { aws_eks_cluster: Record<string, { vpc_config: { endpoint_public_access: boolean }; lifecycle: { prevent_destroy: boolean } }> };
      provider: { aws: Array<{ allowed_account_ids: string[] }> };
    };
    const eks = Object.values(cluster.resource.aws_eks_cluster)[0]!;
    expect(eks.vpc_config.endpoint_public_access).toBe(false);
    expect(eks.lifecycle.prevent_destroy).toBe(true);
    expect(cluster.provider.aws[0]!.allowed_account_ids).toEqual(['222222222222']);
    // Karpenter's nodes run a pinned AMI release, never al2023@latest (each release would roll
    // every node of production): the EC2NodeClass as it reaches the cluster.
    const nodeClass = readdirSync(join(outdir, 'stacks/prod-platform/assets'), { recursive: true, encoding: 'utf8' }).find((file) => file.endsWith('-ec2nodeclass-default.yaml'))!;
    const amiSelector = (parse(readFileSync(join(outdir, 'stacks/prod-platform/assets', nodeClass), 'utf8')) as { spec: { amiSelectorTerms: unknown } }).spec.amiSelectorTerms;
    expect(amiSelector).toEqual([{ alias: `al2023@${AL2023_AMI_RELEASE}` }]);
  });
});
