import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { defineSingleRegion, type SingleRegionPlatform } from '../src/platform.js';
import { claimedNames, refuseSharedAccountResources, sharedAccountResourceProblems, SharedAccountResourceError } from '../src/app/shared-account-resources.js';
import { synthesizeApp } from '../src/app/run-app.js';
import type { EnvironmentConfig } from '../src/config/schema.js';
import { sandboxConfig } from './fixtures.js';

/** A second environment in the sandbox's account: its own name and CIDR, the overrides given. */
const neighbour = (overrides: Partial<Record<keyof EnvironmentConfig, unknown>> = {}) => sandboxConfig({ name: 'sandbox-b', vpc_cidr: '10.11.0.0/16', ...overrides });
const existingBucket = { ...sandboxConfig().state, bootstrap: 'existing' };

function both(second: EnvironmentConfig, first: EnvironmentConfig = sandboxConfig()) {
  const app = Testing.app();
  const platforms: SingleRegionPlatform[] = [defineSingleRegion(app, first), defineSingleRegion(app, second)];
  return { app, platforms };
}

const backendKey = (stack: { toTerraform(): unknown }) => (stack.toTerraform() as { terraform: { backend: { s3?: { bucket: string; key: string } } } }).terraform.backend.s3;

describe('several environments in one account', () => {
  test('state.bootstrap: existing uses the bucket without a state stack; the two environments keep distinct state keys', () => {
    const { app, platforms } = both(neighbour({ state: existingBucket }));
    expect(platforms[1]!.state).toBeUndefined();
    expect(sharedAccountResourceProblems(app)).toEqual([]);
    const keys = app.node.children.map((stack) => [stack.node.id, backendKey(stack as never)]);
    expect(keys.filter(([id]) => String(id).startsWith('sandbox-b-'))).toEqual([
      ['sandbox-b-network', { bucket: 'acme-tfstate-111111111111', key: 'sandbox-b/us-west-2/network.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true }],
      ['sandbox-b-cluster', { bucket: 'acme-tfstate-111111111111', key: 'sandbox-b/us-west-2/cluster.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true }],
      ['sandbox-b-cni', { bucket: 'acme-tfstate-111111111111', key: 'sandbox-b/us-west-2/cni.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true }],
      ['sandbox-b-compute', { bucket: 'acme-tfstate-111111111111', key: 'sandbox-b/us-west-2/compute.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true }],
      ['sandbox-b-platform', { bucket: 'acme-tfstate-111111111111', key: 'sandbox-b/us-west-2/platform.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true }],
    ]);
  });

  test('state.key_prefix lays the keys out under another prefix', () => {
    const { app } = both(neighbour({ state: { ...existingBucket, key_prefix: 'teams/payments/staging' } }));
    const network = app.node.children.find((stack) => stack.node.id === 'sandbox-b-network')!;
    expect(backendKey(network as never)?.key).toBe('teams/payments/staging/us-west-2/network.tfstate');
  });

  test('two state stacks that would create one bucket are refused, naming both', () => {
    const { app } = both(neighbour());
    expect(sharedAccountResourceProblems(app)).toEqual([
      'KMS alias "alias/acme-tfstate-111111111111" in account 111111111111, us-west-2 would be created by 2 stacks: sandbox-state (environment sandbox) and sandbox-b-state (environment sandbox-b); names derive from the environment name or, for the state bucket\'s key, from the bucket: rename one environment, or let only one create the bucket',
      'S3 bucket "acme-tfstate-111111111111" would be created by 2 stacks: sandbox-state (environment sandbox) and sandbox-b-state (environment sandbox-b); one environment creates the state bucket; the others set state.bootstrap: existing (docs/STATE_BOOTSTRAP.md)',
    ]);
    expect(() => refuseSharedAccountResources(app)).toThrow(SharedAccountResourceError);
  });

  test('a state key prefix another environment of the bucket uses is refused, stack by stack', () => {
    const { app } = both(neighbour({ state: { ...existingBucket, key_prefix: 'sandbox' } }));
    const problems = sharedAccountResourceProblems(app);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe(
      'Terraform state s3://acme-tfstate-111111111111/sandbox/us-west-2/network.tfstate would be created by 2 stacks: sandbox-network (environment sandbox) and sandbox-b-network (environment sandbox-b); environments sharing a bucket need different state.key_prefix values (the default is the environment name)',
    );
  });

  test('the EC2 Spot service-linked role is one per account: two environments creating it are refused', () => {
    const spot = (config: EnvironmentConfig) => ({ ...config.karpenter, enabled: true, create_spot_service_linked_role: true });
    const first = sandboxConfig();
    const { app } = both(neighbour({ state: existingBucket, karpenter: spot(first) }), sandboxConfig({ karpenter: spot(first) }));
    expect(sharedAccountResourceProblems(app)).toEqual([
      'IAM service-linked role "spot.amazonaws.com" in account 111111111111 would be created by 2 stacks: sandbox-compute (environment sandbox) and sandbox-b-compute (environment sandbox-b); an account has one; set karpenter.create_spot_service_linked_role: true in one environment of the account only (docs/KARPENTER.md)',
    ]);
  });

  test('IAM names are per account, not per environment: an environment named like another one\'s role prefix is refused', () => {
    // sandbox's Karpenter node role is sandbox-karpenter-node; an environment called sandbox-karpenter names its node role the same.
    const { app } = both(neighbour({ name: 'sandbox-karpenter', state: existingBucket }));
    expect(sharedAccountResourceProblems(app)).toEqual([
      'IAM role "sandbox-karpenter-node" in account 111111111111 would be created by 2 stacks: sandbox-compute (environment sandbox) and sandbox-karpenter-compute (environment sandbox-karpenter); their names derive from the environment names: rename one of the environments',
    ]);
  });

  test('names passed between stacks as references resolve to their literal value; every kind the project creates is claimed', () => {
    const app = Testing.app();
    defineSingleRegion(app, sandboxConfig({ karpenter: { ...sandboxConfig().karpenter, enabled: true, create_spot_service_linked_role: true } }));
    const claims = claimedNames(app).map((claim) => `${claim.stack}: ${claim.what}`);
    expect(claims).toEqual(
      expect.arrayContaining([
        'sandbox-state: S3 bucket "acme-tfstate-111111111111"',
        'sandbox-cluster: EKS cluster "sandbox" in account 111111111111, us-west-2',
        'sandbox-cluster: CloudWatch log group "/aws/eks/sandbox/cluster" in account 111111111111, us-west-2',
        'sandbox-cluster: KMS alias "alias/eks/sandbox" in account 111111111111, us-west-2',
        // The compute stack gets the cluster name from the cluster stack (a remote-state reference).
        'sandbox-compute: IAM role "sandbox-node" in account 111111111111',
        'sandbox-compute: launch template "sandbox-system" in account 111111111111, us-west-2',
        'sandbox-compute: SQS queue "sandbox-karpenter" in account 111111111111, us-west-2',
        'sandbox-compute: EventBridge rule "sandbox-karpenter-spot-interruption" in account 111111111111, us-west-2',
        'sandbox-compute: IAM service-linked role "spot.amazonaws.com" in account 111111111111',
        'sandbox-network: Terraform state s3://acme-tfstate-111111111111/sandbox/us-west-2/network.tfstate',
      ]),
    );
    expect(new Set(claims).size).toBe(claims.length);
  });

  test('every app run checks its own stacks too, before anything is written', () => {
    const root = mkdtempSync(join(tmpdir(), 'shared-account-'));
    let stderr = '';
    const define = (app: Parameters<typeof defineSingleRegion>[0], config: EnvironmentConfig) => {
      defineSingleRegion(app, config);
      defineSingleRegion(app, neighbour());
    };
    const status = synthesizeApp({ configPath: 'environments/sandbox.yaml', outdir: join(root, 'cdktf.out'), define }, sandboxConfig(), { env: {}, stderr: (text) => (stderr += text) });
    expect(status).toBe(1);
    expect(stderr).toContain('S3 bucket "acme-tfstate-111111111111" would be created by 2 stacks: sandbox-state (environment sandbox) and sandbox-b-state (environment sandbox-b)');
    expect(readdirSync(root)).toEqual([]);
  });
});
