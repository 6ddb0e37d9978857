import { beforeAll, describe, expect, test } from 'vitest';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { runAppInThisProcess, runBothEntryPoints } from '@cilium-eks/cluster-factory/testing/app-process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxApp } from '../src/sandbox.js';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const SANDBOX_YAML = readFileSync(join(APP_DIR, '../../environments/sandbox.yaml'), 'utf8');

/** What main.ts runs, in this process (its messages and output, without a process start). */
const synth = (outdir: string, config?: string) => runAppInThisProcess(APP_DIR, sandboxApp, { outdir, config });

const snapshot = directorySnapshot;

/**
 * The default output three ways: main.ts under tsx (as `cdktf synth` runs it), the bundle (as
 * the synth target runs it), and in this process.
 */
const synthRoot = mkdtempSync(join(tmpdir(), 'sandbox-synth-'));
let output: Record<string, string>;

let bundled: string;

beforeAll(async () => {
  const processes = runBothEntryPoints(APP_DIR, synthRoot);
  const inProcess = synth(join(synthRoot, 'in-process'));
  const { tsx, bundle } = await processes;
  for (const result of [tsx, inProcess, bundle]) expect(result.status, result.stderr).toBe(0);
  expect(inProcess.stderr).toBe(tsx.stderr);
  expect(bundle.stderr).toBe(tsx.stderr);
  output = snapshot(tsx.outdir);
  bundled = bundle.outdir;
}, 120_000);

describe('sandbox app', () => {
  test('synthesizes network -> cluster -> cni -> compute -> platform, byte-identical across runs (main.ts under tsx, the bundle, and in this process)', () => {
    const a = output;
    expect(a).toEqual(snapshot(join(synthRoot, 'in-process')));
    expect(a).toEqual(snapshot(bundled));
    const manifest = JSON.parse(a['manifest.json']!) as { stacks: Record<string, { dependencies: string[] }> };
    const dependencies = Object.fromEntries(Object.entries(manifest.stacks).map(([name, stack]) => [name, [...stack.dependencies].sort()]));
    expect(dependencies).toEqual({
      // The state bucket: local state first, deployed once per account.
      'sandbox-state': [],
      'sandbox-network': [],
      'sandbox-cluster': ['sandbox-network'],
      // Nodes join only after Cilium exists.
      'sandbox-cni': ['sandbox-cluster'],
      'sandbox-compute': ['sandbox-cluster', 'sandbox-cni', 'sandbox-network'],
      // Add-ons need running nodes.
      'sandbox-platform': ['sandbox-cluster', 'sandbox-compute', 'sandbox-network'],
    });
    // The policy chart travels with the synthesized stack (an asset), so the output is self-contained.
    const assets = (chart: string) =>
      Object.keys(a)
        .filter((path) => path.startsWith(`stacks/sandbox-platform/assets/${chart}/`) || path.startsWith(`stacks/sandbox-platform/assets/${chart}_`))
        .map((path) => path.split('/').pop())
        .sort();
    // Plain YAML generated from typed objects: exactly what reaches the cluster.
    expect(assets('network-policy-baseline-chart')).toEqual([
      '01-namespace-policy-examples.yaml',
      '02-ciliumnetworkpolicy-api-allow-frontend-http.yaml',
      '03-ciliumclusterwidenetworkpolicy-restricted-internet-egress.yaml',
      'Chart.yaml',
    ]);
    expect(assets('karpenter-node-pools-chart')).toEqual(['01-ec2nodeclass-default.yaml', '02-nodepool-general.yaml', 'Chart.yaml']);
  });

  test('a bad config fails with one message per problem and leaves the previous cdktf.out intact', () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-bad-'));
    const outdir = join(root, 'cdktf.out');
    cpSync(join(synthRoot, 'cdktf.out'), outdir, { recursive: true });
    const before = snapshot(outdir);

    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, SANDBOX_YAML.replace('cilium_mode: eni', 'cilium_mode: vxlan').replace('vpc_cidr: 10.10.0.0/16', 'vpc_cidr: 10.10.0.0/8'));
    const result = synth(outdir, bad);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${bad}:8:11: vpc_cidr: "10.10.0.0/8" has prefix /8 (allowed: /16 to /20)`,
      `${bad}:19:14: cilium_mode: "vxlan" is not allowed (allowed: eni, overlay)`,
      `${bad}:19:14: cilium_mode: not checked until it is valid: cilium.pod_cidr overlaps neither vpc_cidr nor the service CIDR`,
    ]);
    expect(snapshot(outdir)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['bad.yaml', 'cdktf.out']);
  });

  test('Fargate with Cilium: warns on stderr and synthesizes the VPC CNI path', () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-fargate-'));
    const variant = join(root, 'fargate.yaml');
    writeFileSync(
      variant,
      SANDBOX_YAML.replace('enable_fargate: false', 'enable_fargate: true').replace('network_policy_baseline: true', 'network_policy_baseline: false') +
        'fargate_profiles:\n  - name: batch\n    selectors: [{ namespace: batch }]\n',
    );
    const result = synth(join(root, 'out'), variant);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('[warn] sandbox-cluster: enable_cilium is true but enable_fargate is also true: Cilium is disabled');
    const cluster = JSON.parse(readFileSync(join(root, 'out/stacks/sandbox-cluster/cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { addon_name?: string }>> };
    expect(Object.values(cluster.resource.aws_eks_addon!).map((addon) => addon.addon_name).sort()).toEqual(['eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    expect(readdirSync(join(root, 'out/stacks')).sort()).toEqual(['sandbox-cluster', 'sandbox-compute', 'sandbox-network', 'sandbox-platform', 'sandbox-state']);
  });
});
