import { afterAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaSubset, typesUsedIn } from '../src/schema-subset.js';

/** Protobuf wire format, as much as a GetProviderSchema answer needs. */
const varint = (value: number): Buffer => {
  const bytes: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) bytes.push((value % 128) | 0x80);
  return Buffer.from([...bytes, value]);
};
const field = (number: number, value: Buffer | string) => {
  const bytes = Buffer.from(value);
  return Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
};
const varintField = (number: number, value: number) => Buffer.concat([varint(number * 8), varint(value)]);
const entry = (number: number, key: string, schema: string) => field(number, Buffer.concat([field(1, key), field(2, schema)]));
const grpcFrame = (message: Buffer, compressed = 0) => {
  const header = Buffer.alloc(5);
  header[0] = compressed;
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
};

// GetProviderSchema.Response (tfplugin5.8): provider 1, resource_schemas 2, data_source_schemas 3,
// diagnostics 4, provider_meta 5, server_capabilities 6, functions 7, ephemeral_resource_schemas 8.
const PROVIDER = field(1, 'provider-schema');
const QUEUE = entry(2, 'aws_sqs_queue', 'queue-schema');
const VPC = entry(2, 'aws_vpc', 'x'.repeat(300)); // a length that takes two varint bytes
const POLICY = entry(3, 'aws_iam_policy_document', 'policy-schema');
const CALLER = entry(3, 'aws_caller_identity', 'caller-schema');
const META = field(5, 'meta');
const CAPABILITIES = field(6, varintField(1, 1));
const FUNCTION = entry(7, 'arn_parse', 'function');
const SECRET = entry(8, 'aws_secretsmanager_secret_version', 'ephemeral-schema');
const LATER = field(9, 'a field of a later protocol');
const ANSWER = grpcFrame(Buffer.concat([PROVIDER, QUEUE, VPC, POLICY, CALLER, META, CAPABILITIES, FUNCTION, SECRET, LATER]));

describe('a provider schema answer cut down to the types a run uses', () => {
  test('keeps the named resource, data source and ephemeral types, and every other field byte for byte, in order', () => {
    const subset = schemaSubset(ANSWER, new Set(['aws_vpc', 'aws_iam_policy_document', 'aws_secretsmanager_secret_version', 'terraform_remote_state']));
    expect(subset).toEqual(grpcFrame(Buffer.concat([PROVIDER, VPC, POLICY, META, CAPABILITIES, FUNCTION, SECRET, LATER])));
    expect(schemaSubset(ANSWER, new Set())).toEqual(grpcFrame(Buffer.concat([PROVIDER, META, CAPABILITIES, FUNCTION, LATER])));
  });

  test('an answer it cannot read is passed on whole: compressed, two messages, a wrong length, a truncated field', () => {
    const types = new Set(['aws_vpc']);
    const message = Buffer.concat([PROVIDER, QUEUE, VPC]);
    for (const answer of [
      grpcFrame(message, 1),
      Buffer.concat([grpcFrame(message), grpcFrame(message)]),
      Buffer.concat([grpcFrame(message).subarray(0, 5), message.subarray(1)]),
      grpcFrame(Buffer.concat([PROVIDER, QUEUE.subarray(0, QUEUE.length - 3)])),
      grpcFrame(Buffer.concat([PROVIDER, field(2, field(2, 'an entry without a key'))])),
      Buffer.from('not a schema'),
    ]) {
      expect(schemaSubset(answer, types)).toBe(answer);
    }
  });
});

describe('the types a working directory uses', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'types-used-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  let count = 0;
  const workdir = (files: Record<string, unknown>) => {
    const dir = join(scratch, String((count += 1)));
    mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return dir;
  };

  test('resources, data sources and ephemeral resources of every JSON configuration file, and the resources of the local state', () => {
    const dir = workdir({
      'cdk.tf.json': {
        '//': { metadata: {} },
        terraform: { backend: { s3: {} } },
        provider: { aws: [{ region: 'us-east-1' }] },
        resource: { aws_vpc: { vpc: {} }, aws_subnet: { a: {}, b: {} } },
        data: { terraform_remote_state: { network: {} } },
        output: { id: { value: '${aws_vpc.vpc.id}' } },
        moved: [{ from: 'aws_vpc.old', to: 'aws_vpc.vpc' }],
      },
      'harness_override.tf.json': { ephemeral: [{ aws_secretsmanager_secret_version: { secret: {} } }], locals: {}, variable: {}, import: [], removed: [] },
      'terraform.tfstate': { version: 4, resources: [{ mode: 'managed', type: 'aws_security_group', name: 'gone' }, { mode: 'data', type: 'aws_iam_policy_document', name: 'p' }] },
      'notes.json': { resource: { aws_not_read: {} } },
    });
    expect([...typesUsedIn(dir)!].sort()).toEqual(['aws_iam_policy_document', 'aws_secretsmanager_secret_version', 'aws_security_group', 'aws_subnet', 'aws_vpc', 'terraform_remote_state']);
  });

  test('undefined (the whole schema) where it cannot tell: HCL, a module call, a check block, a block it does not know, a file it cannot parse', () => {
    const config = { resource: { aws_vpc: { vpc: {} } } };
    expect(typesUsedIn(workdir({ 'cdk.tf.json': config, 'extra.tf': 'resource "aws_subnet" "a" {}' }))).toBeUndefined();
    expect(typesUsedIn(workdir({ 'cdk.tf.json': { ...config, module: { vpc: { source: './vpc' } } } }))).toBeUndefined();
    expect(typesUsedIn(workdir({ 'cdk.tf.json': { ...config, check: { health: { data: { aws_caller_identity: { me: {} } } } } } }))).toBeUndefined();
    expect(typesUsedIn(workdir({ 'cdk.tf.json': { ...config, action: {} } }))).toBeUndefined();
    expect(typesUsedIn(workdir({ 'cdk.tf.json': { resource: 'aws_vpc' } }))).toBeUndefined();
    expect(typesUsedIn(workdir({ 'cdk.tf.json': '{ not json' }))).toBeUndefined();
    expect(typesUsedIn(workdir({ 'cdk.tf.json': config, 'terraform.tfstate': '{ "resources": [{ "name": "no type" }] }' }))).toBeUndefined();
    expect(typesUsedIn(join(scratch, 'no-such-directory'))).toBeUndefined();
  });
});
