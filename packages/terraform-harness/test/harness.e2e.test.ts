import { describe, expect, test } from 'vitest';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformResource, TerraformStack, S3Backend } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { checkStacks, cliConfigOf, formatReports } from '../src/check-stacks.js';
import { PLUGIN_MIRROR_VARIABLE, terraform, whyNoProviders } from '../src/terraform.js';
import { skippedWhen } from '../../../vitest.shared.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE];

/** No provider can be downloaded: every request goes to a proxy that refuses connections. */
/** A stack whose state goes to the S3 bucket `state` under `<name>.tfstate` (the harness plans it with a local backend). */
function backedStack(app: App, name: string): TerraformStack {
  const stack = new TerraformStack(app, name);
  new S3Backend(stack, { bucket: 'state', key: `${name}.tfstate`, region: 'us-east-1', encrypt: true });
  return stack;
}

const OFFLINE: NodeJS.ProcessEnv = { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
delete OFFLINE[PLUGIN_MIRROR_VARIABLE];

describe('real terraform without a mirror and without registry access', () => {
  test('a stack whose providers cannot be installed is NOT CHECKED, not failed; a broken stack still fails', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'harness-offline-'));
    const app = new App({ outdir });
    const healthy = backedStack(app, 'healthy');
    new AwsProvider(healthy, 'aws', { region: 'us-east-1' });
    new Vpc(healthy, 'vpc', { cidrBlock: '10.0.0.0/16' });
    const broken = backedStack(app, 'broken');
    new AwsProvider(broken, 'aws', { region: 'us-east-1' });
    // A constraint terraform rejects before it asks any registry.
    broken.addOverride('terraform.required_providers.aws.version', 'not a version');
    app.synth();

    const reports = await checkStacks({ outdir, env: OFFLINE });
    expect(reports.map((report) => [report.stack, report.status])).toEqual([
      ['broken', 'failed'],
      ['healthy', 'not-checked'],
    ]);
    expect(reports[1]!.detail).toBe(
      'providers could not be installed: registry.terraform.io is unreachable (Failed to query available provider packages); set TF_PLUGIN_MIRROR to an offline mirror to check it here',
    );
    expect(reports[0]!.detail).toMatch(/^terraform init failed:\n.*Error: Invalid version constraint\n/s);
    expect(formatReports(reports).split('\n').at(-1)).toBe('2 stacks: 0 validated and planned, 0 validated only, 1 not checked, 1 failed');
  });
});

describe(`real terraform against the offline mirror (${PLUGIN_MIRROR_VARIABLE})`, skippedWhen(whyNoProviders()), () => {
  test('plans a producer and a consumer of remote state; reports a helm stack as not checked', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'harness-test-'));
    const app = new App({ outdir });

    const producer = backedStack(app, 'producer');
    new AwsProvider(producer, 'aws', { region: 'us-east-1', allowedAccountIds: ['111111111111'] });
    const vpc = new Vpc(producer, 'vpc', { cidrBlock: '10.0.0.0/16' });

    const consumer = backedStack(app, 'consumer');
    new AwsProvider(consumer, 'aws', { region: 'us-east-1', allowedAccountIds: ['111111111111'] });
    new Subnet(consumer, 'subnet', { vpcId: vpc.id, cidrBlock: '10.0.1.0/24' });
    new SecurityGroup(consumer, 'sg', { vpcId: vpc.id, name: 'placeholder-test' });
    new TerraformOutput(consumer, 'vpc_cidr', { value: vpc.cidrBlock });

    const kubernetesSide = backedStack(app, 'kubernetes-side');
    new HelmProvider(kubernetesSide, 'helm', {});
    app.synth();

    const logged: string[] = [];
    const reports = await checkStacks({ outdir, mirror, keepWorkdirs: true, log: (line) => logged.push(line) });
    expect(reports.map((report) => [report.stack, report.status, report.changes])).toEqual([
      ['producer', 'planned', { add: 1, change: 0, destroy: 0 }],
      ['consumer', 'planned', { add: 2, change: 0, destroy: 0 }],
      ['kubernetes-side', 'not-checked', undefined],
    ]);
    // The consumer's init reads what the producer's read: it got a copy, the files a real init writes.
    expect(logged).toContain('  consumer: terraform init as for producer (same providers, same backend)');
    const consumerDir = reports[1]!.workdir!;
    const realInit = mkdtempSync(join(tmpdir(), 'harness-real-init-'));
    for (const file of readdirSync(consumerDir).filter((name) => name.endsWith('.tf.json'))) cpSync(join(consumerDir, file), join(realInit, file));
    const init = await terraform(realInit, ['init', '-input=false', '-no-color'], { ...process.env, TF_CLI_CONFIG_FILE: cliConfigOf(consumerDir) });
    expect(init.code, init.stderr).toBe(0);
    expect(initFiles(consumerDir)).toEqual(initFiles(realInit));
    expect(Object.keys(initFiles(realInit))).toContain('.terraform.lock.hcl');
    expect(reports[2]!.detail).toBe(`needs registry.terraform.io/hashicorp/helm, absent from the plugin mirror ${mirror}`);
    expect(formatReports(reports).split('\n').at(-1)).toBe('3 stacks: 2 validated and planned, 0 validated only, 1 not checked, 0 failed');
  });

  test('without a separate validate, a plan still refuses what terraform validate refuses (a resource with count 0 included); the JSON plan is written only when asked for', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'harness-validation-'));
    const app = new App({ outdir });
    const stack = (name: string) => {
      const created = backedStack(app, name);
      new AwsProvider(created, 'aws', { region: 'us-east-1' });
      return created;
    };
    // Validate-time errors: an argument the schema lacks, on a resource planned zero times; a
    // value outside the provider's range, caught by its ValidateResourceConfig.
    const unknownArgument = new SqsQueue(stack('unknown-argument'), 'queue', { name: 'never-created', count: 0 });
    unknownArgument.addOverride('bogus_argument', 1);
    new SqsQueue(stack('out-of-range'), 'queue', { name: 'delayed', delaySeconds: 99_999 });
    new SqsQueue(stack('healthy'), 'queue', { name: 'healthy' });
    // A type the provider lacks: terraform suggests the closest of all its types.
    new TerraformResource(stack('unknown-type'), 'queue', { terraformResourceType: 'aws_sqs_queeu' });
    app.synth();

    const planJsonDir = join(outdir, 'plans');
    const logged: string[] = [];
    const reports = await checkStacks({ outdir, mirror, planJsonDir, stacks: ['healthy', 'out-of-range', 'unknown-argument', 'unknown-type'], log: (line) => logged.push(line) });
    expect(reports.map(({ stack, status, validated, planned, changes }) => ({ stack, status, validated, planned, changes }))).toEqual([
      { stack: 'healthy', status: 'planned', validated: true, planned: true, changes: { add: 1, change: 0, destroy: 0 } },
      { stack: 'out-of-range', status: 'failed', validated: false, planned: false, changes: undefined },
      { stack: 'unknown-argument', status: 'failed', validated: false, planned: false, changes: undefined },
      { stack: 'unknown-type', status: 'failed', validated: false, planned: false, changes: undefined },
    ]);
    expect(reports[1]!.detail).toMatch(/^terraform plan failed:\nError: expected delay_seconds to be in the range \(0 - 900\), got 99999\n  with aws_sqs_queue\.queue,\n  on cdk\.tf\.json line \d+$/);
    expect(reports[2]!.detail).toMatch(/^terraform plan failed:\nError: Extraneous JSON object property\n  on cdk\.tf\.json line \d+\nNo argument or block type is named "bogus_argument"\.$/);
    // Each failed plan ran again with the whole schema: its message is terraform's, suggestion included.
    expect(reports[3]!.detail).toMatch(/^terraform plan failed:\nError: Invalid resource type\n  on cdk\.tf\.json line \d+\nThe provider hashicorp\/aws does not support resource type "aws_sqs_queeu"\. Did you mean "aws_sqs_queue"\?$/);
    expect(logged.at(-1)).toMatch(/; 5 runs given only the schemas of the types they use, 3 of them failed and ran again with the whole schema$/);
    const planJson = JSON.parse(readFileSync(reports[0]!.planJson!, 'utf8')) as { resource_changes: Array<{ address: string; change: { actions: string[] } }> };
    expect(planJson.resource_changes.map((change) => [change.address, change.change.actions])).toEqual([['aws_sqs_queue.queue', ['create']]]);

    const withoutJson = await checkStacks({ outdir, mirror, stacks: ['healthy'] });
    expect(withoutJson.map(({ status, changes, planJson: file }) => ({ status, changes, file }))).toEqual([{ status: 'planned', changes: { add: 1, change: 0, destroy: 0 } }]);
  });
});


/** This process's children that run the aws provider plugin (Linux: /proc). */
function providerChildren(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat)!;
        return Number(rest!.split(' ')[1]) === process.pid && comm!.startsWith('terraform-provi') ? [pid] : [];
      } catch {
        return []; // ended meanwhile
      }
    });
}

describe(`one aws provider process for a run's plans (${PLUGIN_MIRROR_VARIABLE})`, skippedWhen(whyNoProviders()), () => {
  test('plans attached to one shared process equal plans with a plugin per run: each stack keeps its region and default tags, aliases run on their own, and no process is left', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'harness-shared-'));
    const app = new App({ outdir });
    const stack = (name: string) => backedStack(app, name);
    // default_tags are the plugin's configuration: a plan from a process still configured
    // for the stack before would show that stack's tags in tags_all.
    const west = stack('west');
    new AwsProvider(west, 'aws', { region: 'us-west-2', defaultTags: [{ tags: { Env: 'west' } }] });
    new Vpc(west, 'vpc', { cidrBlock: '10.0.0.0/16', tags: { Name: 'west' } });
    // A data source the plan reads (locally: no AWS call), as the apps' stacks have.
    const trust = new DataAwsIamPolicyDocument(west, 'trust', { statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['eks.amazonaws.com'] }] }] });
    new IamRole(west, 'role', { name: 'west', assumeRolePolicy: trust.json });
    const east = stack('east');
    new AwsProvider(east, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: { Env: 'east' } }] });
    new Vpc(east, 'vpc', { cidrBlock: '10.1.0.0/16' });
    const aliased = stack('aliased');
    new AwsProvider(aliased, 'aws', { region: 'us-west-2', defaultTags: [{ tags: { Env: 'aliased-default' } }] });
    const second = new AwsProvider(aliased, 'east', { alias: 'east', region: 'eu-west-1', defaultTags: [{ tags: { Env: 'aliased-east' } }] });
    new Vpc(aliased, 'default-vpc', { cidrBlock: '10.2.0.0/16' });
    new Vpc(aliased, 'east-vpc', { cidrBlock: '10.3.0.0/16', provider: second });
    app.synth();

    // The plugin refuses a second configuration with a CA bundle; the shared process runs without it.
    const caBundle = '/etc/ssl/certs/ca-certificates.crt';
    const env = { ...process.env, ...(existsSync(caBundle) ? { AWS_CA_BUNDLE: caBundle } : {}) };
    const logged: string[] = [];
    const plans = (dir: string, names: string[]) => Object.fromEntries(names.map((name) => [name, normalizedPlan(join(outdir, dir, `${name}.plan.json`))]));
    const sharedReports = await checkStacks({ outdir, mirror, env, planJsonDir: join(outdir, 'shared'), log: (line) => logged.push(line) });
    expect(providerChildren()).toEqual([]);
    // west runs after east in the shared process, the one that could see east's configuration; the
    // aliased stack runs with its own plugins either way. Both are checked by their tags below.
    const ownReports = await checkStacks({ outdir, mirror, env, planJsonDir: join(outdir, 'own'), shareProvider: false, stacks: ['west'], log: (line) => logged.push(line) });
    expect(sharedReports.map(({ stack, status }) => [stack, status])).toEqual(['aliased', 'east', 'west'].map((name) => [name, 'planned']));
    expect(ownReports.map(({ stack, status }) => [stack, status])).toEqual([['west', 'planned']]);
    // west and east: a plan and a show each, each given only the schemas of its own types. Every
    // stack needs the same providers: one init per run.
    expect(logged).toEqual([
      '  east: terraform init as for aliased (same providers, same backend)',
      '  west: terraform init as for aliased (same providers, same backend)',
      '  4 terraform runs attached to one aws provider process (terraform-provider-aws_v5.100.0_x5); schema calls: 1 answered by the plugin, 3 from its first answer; 4 runs given only the schemas of the types they use, 0 of them failed and ran again with the whole schema',
    ]);

    const shared = plans('shared', ['aliased', 'east', 'west']);
    expect(plans('shared', ['west'])).toEqual(plans('own', ['west']));
    const tagsAll = (name: string) =>
      Object.fromEntries(shared[name]!.resource_changes.filter((change) => change.type === 'aws_vpc').map((change) => [change.address, change.change.after.tags_all]));
    expect(tagsAll('west')).toEqual({ 'aws_vpc.vpc': { Env: 'west', Name: 'west' } });
    const role = shared.west!.resource_changes.find((change) => change.address === 'aws_iam_role.role')!;
    expect(JSON.parse(role.change.after.assume_role_policy as string)).toMatchObject({ Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'eks.amazonaws.com' } }] });
    expect(tagsAll('east')).toEqual({ 'aws_vpc.vpc': { Env: 'east' } });
    expect(tagsAll('aliased')).toEqual({ 'aws_vpc.default-vpc': { Env: 'aliased-default' }, 'aws_vpc.east-vpc': { Env: 'aliased-east' } });
  });
});

interface PlanJsonForComparison {
  timestamp?: string;
  relevant_attributes?: unknown[];
  resource_changes: Array<{ address: string; type: string; change: { after: Record<string, unknown> } }>;
}

/** A `terraform show -json` plan without what differs between any two runs: its time, and the order of relevant_attributes (Go map order). */
function normalizedPlan(file: string): PlanJsonForComparison {
  const plan = JSON.parse(readFileSync(file, 'utf8')) as PlanJsonForComparison;
  delete plan.timestamp;
  plan.relevant_attributes = (plan.relevant_attributes ?? []).map((entry) => JSON.stringify(entry)).sort();
  return plan;
}

/** What `terraform init` wrote in a directory: `.terraform` (files by content, links by target) and the lock file. */
function initFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = { '.terraform.lock.hcl': readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8') };
  const walk = (relative: string) => {
    for (const name of readdirSync(join(dir, relative))) {
      const path = join(relative, name);
      const stat = lstatSync(join(dir, path));
      if (stat.isSymbolicLink()) files[path] = `-> ${readlinkSync(join(dir, path))}`;
      else if (stat.isDirectory()) walk(path);
      else files[path] = readFileSync(join(dir, path), 'utf8');
    }
  };
  walk('.terraform');
  return files;
}
