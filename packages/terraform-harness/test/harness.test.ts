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
import { deploymentOrder } from '../src/synth-output.js';
import { referenceType, placeholderState, type ProviderSchemas } from '../src/placeholders.js';
import { PLUGIN_MIRROR_VARIABLE } from '../src/terraform.js';

const SCHEMAS: ProviderSchemas = {
  provider_schemas: {
    'registry.terraform.io/hashicorp/aws': {
      resource_schemas: {
        aws_eks_cluster: {
          block: {
            attributes: { endpoint: { type: 'string' }, certificate_authority: { type: ['list', ['object', { data: 'string' }]] as never } },
            block_types: { vpc_config: { nesting_mode: 'list', block: { attributes: { cluster_security_group_id: { type: 'string' }, subnet_ids: { type: ['set', 'string'] } } } } },
          },
        },
      },
    },
  },
};

describe('placeholders', () => {
  test('types come from the provider schema, through nested blocks', () => {
    expect(referenceType('${aws_eks_cluster.c.endpoint}', SCHEMAS)).toBe('string');
    expect(referenceType('${aws_eks_cluster.c.vpc_config[0].cluster_security_group_id}', SCHEMAS)).toBe('string');
    expect(referenceType('${aws_eks_cluster.c.vpc_config[0].subnet_ids}', SCHEMAS)).toEqual(['set', 'string']);
    expect(referenceType('${aws_eks_cluster.c.certificate_authority[0].data}', SCHEMAS)).toBe('string');
    expect(referenceType('${aws_eks_cluster.c.certificate_authority[0].missing}', SCHEMAS)).toBeUndefined();
    expect(referenceType('${aws_unknown.c.id}', SCHEMAS)).toBeUndefined();
  });

  test('state file values are shaped for provider validation', () => {
    const { state, untyped } = placeholderState(
      { output: { sg: { value: '${aws_eks_cluster.c.vpc_config[0].cluster_security_group_id}', sensitive: true }, ep: { value: '${aws_eks_cluster.c.endpoint}' } } },
      SCHEMAS,
      '111111111111',
    );
    expect(untyped).toEqual([]);
    expect((state as { outputs: unknown }).outputs).toEqual({
      sg: { value: 'sg-0123456789abcdef0', type: 'string', sensitive: true },
      ep: { value: 'https://placeholder.gr7.us-east-1.eks.amazonaws.com', type: 'string', sensitive: false },
    });
  });

  test('deployment order puts dependencies first and reports cycles', () => {
    const order = deploymentOrder([
      { name: 'c', dependencies: ['b', 'a'] },
      { name: 'b', dependencies: ['a'] },
      { name: 'a', dependencies: [] },
    ]);
    expect(order.map((stack) => stack.name)).toEqual(['a', 'b', 'c']);
    expect(() => deploymentOrder([{ name: 'x', dependencies: ['y'] }, { name: 'y', dependencies: ['x'] }])).toThrow('stack dependency cycle: x -> y -> x');
  });
});

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
