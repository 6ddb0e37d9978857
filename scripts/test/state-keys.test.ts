import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { Testing } from 'cdktf';
import { claimedNames, defineWorkspace, UNIQUE_NAMES, workspaceApp } from '@cilium-eks/cluster-factory';
import { APPS as APP_ENTRIES, sharedOutputs } from '../lib/apps.js';
import { WORKSPACE_APPS } from '../../workspace-apps.js';

const ROOT = join(import.meta.dirname, '../..');
const APPS = Object.keys(APP_ENTRIES);

interface StateConfig {
  state: { bucket: string; region: string; bootstrap?: 'local' | 'migrated' | 'existing'; key_prefix?: string };
}
const stateOf = (app: string) => (parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as StateConfig).state;
/** Apps whose config creates their account's state bucket (not `state.bootstrap: existing`). */
const BUCKET_CREATORS = APPS.filter((app) => stateOf(app).bootstrap !== 'existing');

const synthesized = sharedOutputs();

interface StackJson {
  terraform: { backend: { s3?: { bucket: string; key: string }; local?: { path: string } } };
  resource?: Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>;
}

function stacksOf(outdir: string): Array<{ stack: string; dir: string; json: StackJson }> {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.entries(manifest.stacks).map(([stack, entry]) => ({
    stack,
    dir: dirname(join(outdir, entry.synthesizedStackPath)),
    json: JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')) as StackJson,
  }));
}

/** Each app synthesized again with `state.bootstrap: migrated`: the state stack on its own S3 key. */
function synthesizeMigrated(): Map<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'state-keys-'));
  return new Map(
    APPS.map((app) => {
      const config = parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as StateConfig;
      if (config.state.bootstrap !== 'existing') config.state.bootstrap = 'migrated';
      const file = join(work, `${app}.yaml`);
      writeFileSync(file, stringify(config));
      const outdir = join(work, app, 'cdktf.out');
      const result = APP_ENTRIES[app]!.synth({ outdir, config: file });
      if (result.status !== 0) throw new Error(`${app} failed to synthesize with state.bootstrap: migrated:\n${result.stderr}`);
      return [app, outdir];
    }),
  );
}

/** Every app, synthesized through its real entry point; each stack's S3 state location (the state stack's once migrated). */
function stateKeys(): Array<{ app: string; stack: string; key: string }> {
  const migrated = synthesizeMigrated();
  return APPS.flatMap((app) =>
    stacksOf(migrated.get(app)!).map(({ stack, json }) => {
      const s3 = json.terraform.backend.s3;
      return { app, stack, key: s3 ? `${s3.bucket}/${s3.key}` : `no S3 backend: ${JSON.stringify(json.terraform.backend)}` };
    }),
  );
}

describe('remote state', () => {
  test('before migration only the state stack is local, and its file lies outside cdktf.out; an app using an existing bucket has none', () => {
    expect(BUCKET_CREATORS).toEqual(expect.arrayContaining(['multi-region', 'prod', 'sandbox']));
    for (const app of APPS) {
      const outdir = synthesized.get(app)!;
      const local = stacksOf(outdir).filter(({ json }) => json.terraform.backend.local);
      if (!BUCKET_CREATORS.includes(app)) {
        expect(local, app).toEqual([]);
        continue;
      }
      expect(local.map(({ stack }) => stack)).toEqual([`${app}-state`]);
      const file = resolve(local[0]!.dir, local[0]!.json.terraform.backend.local!.path);
      expect(relative(outdir, file).startsWith('..'), file).toBe(true);
      expect(file).toBe(join(dirname(outdir), 'bootstrap-state', `${app}-state.tfstate`));
    }
  });

  test('no two stacks in the repository share a state key', () => {
    const keys = stateKeys();
    const stateStackKeys = keys.filter((entry) => entry.stack === `${entry.app}-state`).map((entry) => entry.key);
    expect(stateStackKeys).toEqual(expect.arrayContaining([
      'acme-tfstate-333333333333/multi-region/us-west-2/state.tfstate',
      'acme-tfstate-222222222222/prod/us-east-1/state.tfstate',
      'acme-tfstate-111111111111/sandbox/us-west-2/state.tfstate',
    ]));
    expect(stateStackKeys).toEqual(BUCKET_CREATORS.map((app) => `${stateOf(app).bucket}/${stateOf(app).key_prefix ?? app}/${stateOf(app).region}/state.tfstate`));
    expect(new Set(keys.map((entry) => entry.app))).toEqual(new Set(APPS));
    expect(keys.length).toBeGreaterThan(25);
    const byKey = new Map<string, string[]>();
    for (const entry of keys) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), `${entry.app}:${entry.stack}`]);
    expect([...byKey.entries()].filter(([, stacks]) => stacks.length > 1)).toEqual([]);
    expect(keys.filter((entry) => entry.key.includes('undefined') || entry.key.startsWith('no S3'))).toEqual([]);
  });
});

/**
 * Resource types the apps create whose names AWS does not hold once per account or region, each
 * with why (AWS docs of each service); every other type must be in UNIQUE_NAMES, which the
 * cross-app check compares.
 */
const NOT_NAMED_PER_ACCOUNT: Readonly<Record<string, string>> = {
  aws_cloudwatch_event_target: 'belongs to its rule',
  aws_default_security_group: "the VPC's own",
  aws_ec2_transit_gateway: 'identified by ID; names are tags',
  aws_ec2_transit_gateway_peering_attachment: 'identified by ID',
  aws_ec2_transit_gateway_peering_attachment_accepter: 'identified by ID',
  aws_ec2_transit_gateway_route: 'belongs to its route table',
  aws_ec2_transit_gateway_vpc_attachment: 'identified by ID',
  aws_eip: 'identified by allocation ID',
  aws_eks_access_entry: 'belongs to its cluster',
  aws_eks_access_policy_association: 'belongs to its cluster',
  aws_eks_addon: 'belongs to its cluster',
  aws_eks_fargate_profile: 'belongs to its cluster',
  aws_eks_node_group: 'belongs to its cluster',
  aws_eks_pod_identity_association: 'belongs to its cluster',
  aws_iam_role_policy: 'belongs to its role',
  aws_iam_role_policy_attachment: 'belongs to its role',
  aws_internet_gateway: 'identified by ID',
  aws_kms_key: 'identified by ID (its alias is checked)',
  aws_nat_gateway: 'identified by ID',
  aws_route: 'belongs to its route table',
  aws_route53_record: 'belongs to its zone',
  aws_route53_zone: 'private zones of one name may exist once per VPC association',
  aws_route_table: 'identified by ID',
  aws_route_table_association: 'belongs to its route table',
  aws_s3_bucket_lifecycle_configuration: 'belongs to its bucket',
  aws_s3_bucket_ownership_controls: 'belongs to its bucket',
  aws_s3_bucket_policy: 'belongs to its bucket',
  aws_s3_bucket_public_access_block: 'belongs to its bucket',
  aws_s3_bucket_server_side_encryption_configuration: 'belongs to its bucket',
  aws_s3_bucket_versioning: 'belongs to its bucket',
  aws_security_group: 'names are unique per VPC, and every environment has its own VPC',
  aws_sqs_queue_policy: 'belongs to its queue',
  aws_subnet: 'identified by ID',
  aws_vpc: 'identified by ID',
  aws_vpc_security_group_egress_rule: 'belongs to its security group',
  aws_vpc_security_group_ingress_rule: 'belongs to its security group',
  helm_release: 'in the cluster',
  kubernetes_secret_v1: 'in the cluster',
  terraform_data: 'no AWS resource',
};

describe('several environments per account', () => {
  test('every resource type the apps create is compared by the cross-app check or reviewed as not named once per account', () => {
    const types = new Set(APPS.flatMap((app) => stacksOf(synthesized.get(app)!).flatMap(({ json }) => Object.keys(json.resource ?? {}))));
    expect([...types].filter((type) => !(type in UNIQUE_NAMES) && !(type in NOT_NAMED_PER_ACCOUNT)).sort()).toEqual([]);
    expect([...types].filter((type) => type in UNIQUE_NAMES).sort()).toEqual(
      expect.arrayContaining(['aws_cloudwatch_event_rule', 'aws_cloudwatch_log_group', 'aws_eks_cluster', 'aws_iam_role', 'aws_kms_alias', 'aws_launch_template', 'aws_s3_bucket', 'aws_secretsmanager_secret', 'aws_sqs_queue']),
    );
  });

  test('the workspace, as root main.ts synthesizes it, claims every account name once (a colliding environment fails here and in `npx cdktf synth`)', () => {
    const app = Testing.app();
    expect(() => defineWorkspace(app, WORKSPACE_APPS)).not.toThrow();
    const claims = claimedNames(app);
    expect(new Set(claims.map((claim) => claim.environment))).toEqual(new Set(APPS));
    expect(claims.length).toBeGreaterThan(80);
  });

  test('an environment copied into the same account and bucket is refused until it uses the bucket as existing; then both synthesize with distinct state keys', () => {
    const work = mkdtempSync(join(tmpdir(), 'shared-account-'));
    const copy = parse(readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8')) as Record<string, unknown> & StateConfig;
    copy.name = 'sandbox-copy';
    copy.vpc_cidr = '10.11.0.0/16';
    const file = join(work, 'sandbox-copy.yaml');
    const sandbox = WORKSPACE_APPS.find((app) => app.name === 'sandbox')!;
    const copyApp = workspaceApp('sandbox-copy', { ...sandbox.options, configPath: file });
    const synth = () => {
      const app = Testing.app();
      defineWorkspace(app, [...WORKSPACE_APPS, copyApp]);
      return app;
    };
    writeFileSync(file, stringify(copy));
    expect(synth).toThrow(
      'S3 bucket "acme-tfstate-111111111111" would be created by 2 stacks: sandbox-state (environment sandbox) and sandbox-copy-state (environment sandbox-copy); one environment creates the state bucket; the others set state.bootstrap: existing (docs/STATE_BOOTSTRAP.md)',
    );
    copy.state.bootstrap = 'existing';
    writeFileSync(file, stringify(copy));
    const app = synth();
    const keys = claimedNames(app).filter((claim) => claim.what.startsWith('Terraform state s3://acme-tfstate-111111111111/'));
    expect(keys.filter((claim) => claim.environment === 'sandbox-copy').map((claim) => claim.what)).toEqual(
      ['network', 'cluster', 'cni', 'compute', 'platform'].map((kind) => `Terraform state s3://acme-tfstate-111111111111/sandbox-copy/us-west-2/${kind}.tfstate`),
    );
    expect(new Set(keys.map((claim) => claim.what)).size).toBe(keys.length);
  });
});

/** Resource types whose loss loses data or identity: they carry prevent_destroy in a protected environment. */
const STATEFUL_TYPES = ['aws_s3_bucket', 'aws_kms_key', 'aws_eks_cluster', 'aws_cloudwatch_log_group', 'aws_secretsmanager_secret', 'aws_route53_zone'];

describe('protect_stateful_resources', () => {
  const protectedApps = APPS.filter((app) => (parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as { protect_stateful_resources?: boolean }).protect_stateful_resources);

  test('prod and multi-region are protected, sandbox is not', () => {
    expect(protectedApps).toEqual(expect.arrayContaining(['multi-region', 'prod']));
    expect(protectedApps).not.toContain('sandbox');
  });

  test.each(APPS)('%s: prevent_destroy on every stateful resource exactly when protected (the state bucket and its key always)', (app) => {
    const isProtected = protectedApps.includes(app);
    const stateful = stacksOf(synthesized.get(app)!).flatMap(({ stack, json }) =>
      Object.entries(json.resource ?? {})
        .filter(([type]) => STATEFUL_TYPES.includes(type))
        .flatMap(([type, resources]) => Object.entries(resources).map(([name, resource]) => ({ address: `${stack}:${type}.${name}`, stack, type, prevent: resource.lifecycle?.prevent_destroy === true }))),
    );
    const types = new Set(stateful.map((entry) => entry.type));
    // The mesh adds its CA secret and private zone; an app using an existing bucket creates none.
    const multiRegion = 'regions' in (parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as object);
    const expected = multiRegion ? [...STATEFUL_TYPES] : ['aws_cloudwatch_log_group', 'aws_eks_cluster', 'aws_kms_key', ...(BUCKET_CREATORS.includes(app) ? ['aws_s3_bucket'] : [])];
    expect([...types].sort()).toEqual(expected.sort());
    for (const entry of stateful) expect(entry.prevent, entry.address).toBe(isProtected || entry.stack === `${app}-state`);
  });
});

describe('policies', () => {
  test.each(APPS)('%s synthesizes with zero unsuppressed policy findings; every suppression has a reason', (app) => {
    const report = JSON.parse(readFileSync(join(synthesized.get(app)!, 'policy-report.json'), 'utf8')) as {
      summary: { errors: number; warnings: number; suppressed: number };
      findings: Array<{ status: string; reason?: string }>;
    };
    expect(report.summary.errors).toBe(0);
    expect(report.summary.warnings).toBe(0);
    expect(report.summary.suppressed).toBeGreaterThan(0);
    for (const finding of report.findings) expect(finding).toMatchObject({ status: 'suppressed', reason: expect.stringMatching(/\S{10,}/) });
  });
});
