import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack, S3Backend } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { checkStacks, formatReports } from '../src/check-stacks.js';
import { PLUGIN_MIRROR_VARIABLE, whyNoProviders } from '../src/terraform.js';
import { skippedWhen } from '../../../vitest.shared.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE];

/** No provider can be downloaded: every request goes to a proxy that refuses connections. */
const OFFLINE: NodeJS.ProcessEnv = { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };
delete OFFLINE[PLUGIN_MIRROR_VARIABLE];

describe('real terraform without a mirror and without registry access', () => {
  test('a stack whose providers cannot be installed is NOT CHECKED, not failed; a broken stack still fails', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'harness-offline-'));
    const app = new App({ outdir });
    const healthy = new TerraformStack(app, 'healthy');
    new S3Backend(healthy, { bucket: 'state', key: 'healthy.tfstate', region: 'us-east-1', encrypt: true });
    new AwsProvider(healthy, 'aws', { region: 'us-east-1' });
    new Vpc(healthy, 'vpc', { cidrBlock: '10.0.0.0/16' });
    const broken = new TerraformStack(app, 'broken');
    new S3Backend(broken, { bucket: 'state', key: 'broken.tfstate', region: 'us-east-1', encrypt: true });
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
    const backend = (stack: TerraformStack, key: string) => new S3Backend(stack, { bucket: 'state', key, region: 'us-east-1', encrypt: true });

    const producer = new TerraformStack(app, 'producer');
    backend(producer, 'producer.tfstate');
    new AwsProvider(producer, 'aws', { region: 'us-east-1', allowedAccountIds: ['111111111111'] });
    const vpc = new Vpc(producer, 'vpc', { cidrBlock: '10.0.0.0/16' });

    const consumer = new TerraformStack(app, 'consumer');
    backend(consumer, 'consumer.tfstate');
    new AwsProvider(consumer, 'aws', { region: 'us-east-1', allowedAccountIds: ['111111111111'] });
    new Subnet(consumer, 'subnet', { vpcId: vpc.id, cidrBlock: '10.0.1.0/24' });
    new SecurityGroup(consumer, 'sg', { vpcId: vpc.id, name: 'placeholder-test' });
    new TerraformOutput(consumer, 'vpc_cidr', { value: vpc.cidrBlock });

    const kubernetesSide = new TerraformStack(app, 'kubernetes-side');
    backend(kubernetesSide, 'k8s.tfstate');
    new HelmProvider(kubernetesSide, 'helm', {});
    app.synth();

    const reports = await checkStacks({ outdir, mirror });
    expect(reports.map((report) => [report.stack, report.status, report.changes])).toEqual([
      ['producer', 'planned', { add: 1, change: 0, destroy: 0 }],
      ['consumer', 'planned', { add: 2, change: 0, destroy: 0 }],
      ['kubernetes-side', 'not-checked', undefined],
    ]);
    expect(reports[2]!.detail).toBe(`needs registry.terraform.io/hashicorp/helm, absent from the plugin mirror ${mirror}`);
    expect(formatReports(reports).split('\n').at(-1)).toBe('3 stacks: 2 validated and planned, 0 validated only, 1 not checked, 0 failed');
  });
});
