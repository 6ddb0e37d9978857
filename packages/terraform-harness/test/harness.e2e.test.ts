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
import { PLUGIN_MIRROR_VARIABLE } from '../src/terraform.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE];

describe.skipIf(!mirror)(`real terraform against the offline mirror (${PLUGIN_MIRROR_VARIABLE})`, () => {
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
