import { describe, expect, test } from 'vitest';
import { deploymentOrder } from '../src/synth-output.js';
import { initKey, unreachableProviderSource } from '../src/check-stacks.js';
import { referenceType, placeholderState, type ProviderSchemas } from '../src/placeholders.js';
import { stateFromPlan } from '../src/state-from-plan.js';
import { attachable, reattachValue, serverEnv } from '../src/shared-provider.js';

const SCHEMAS: ProviderSchemas = {
  provider_schemas: {
    'registry.terraform.io/hashicorp/aws': {
      resource_schemas: {
        aws_eks_cluster: {
          version: 1,
          block: {
            attributes: { name: { type: 'string' }, version: { type: 'string' }, endpoint: { type: 'string' }, certificate_authority: { type: ['list', ['object', { data: 'string' }]] as never } },
            block_types: { vpc_config: { nesting_mode: 'list', block: { attributes: { cluster_security_group_id: { type: 'string' }, subnet_ids: { type: ['set', 'string'] }, endpoint_public_access: { type: 'bool' } } } } },
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

  test('a value the producer sets literally is passed on as it is, not as a placeholder', () => {
    const { state } = placeholderState(
      { resource: { aws_eks_cluster: { c: { name: 'sandbox', version: '${var.v}' } } }, output: { name: { value: '${aws_eks_cluster.c.name}' }, version: { value: '${aws_eks_cluster.c.version}' } } },
      SCHEMAS,
      '111111111111',
    );
    expect((state as { outputs: Record<string, { value: unknown }> }).outputs).toEqual({
      name: { value: 'sandbox', type: 'string', sensitive: false },
      version: { value: 'placeholder-eks_cluster-version', type: 'string', sensitive: false },
    });
  });

  test('a state from a plan: planned values, typed placeholders where only apply would know, zero values of unset nested attributes (as an applied SDKv2 resource holds them), known outputs; deletions left out', () => {
    const state = stateFromPlan(
      {
        terraform_version: '1.11.4',
        planned_values: { outputs: { name: { value: 'sandbox' }, endpoint: {} } },
        resource_changes: [
          {
            address: 'aws_eks_cluster.c',
            type: 'aws_eks_cluster',
            name: 'c',
            provider_name: 'registry.terraform.io/hashicorp/aws',
            change: { actions: ['create'], after: { name: 'sandbox', version: '1.35', vpc_config: [{ subnet_ids: ['subnet-a'] }] }, after_unknown: { endpoint: true, vpc_config: [{ cluster_security_group_id: true }] } },
          },
          { address: 'aws_eks_cluster.old', type: 'aws_eks_cluster', name: 'old', provider_name: 'registry.terraform.io/hashicorp/aws', change: { actions: ['delete'] } },
        ],
      },
      SCHEMAS,
      { accountId: '111111111111', lineage: 'unit' },
    );
    expect(state).toEqual({
      version: 4,
      terraform_version: '1.11.4',
      serial: 1,
      lineage: 'unit',
      outputs: { name: { value: 'sandbox', type: 'string', sensitive: false } },
      resources: [
        {
          mode: 'managed',
          type: 'aws_eks_cluster',
          name: 'c',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            {
              schema_version: 1,
              attributes: {
                name: 'sandbox',
                version: '1.35',
                endpoint: 'https://placeholder.gr7.us-east-1.eks.amazonaws.com',
                vpc_config: [{ subnet_ids: ['subnet-a'], cluster_security_group_id: 'sg-0123456789abcdef0', endpoint_public_access: false }],
              },
              sensitive_attributes: [],
            },
          ],
        },
      ],
      check_results: null,
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

// Real terraform against the offline mirror: harness.e2e.test.ts.

describe('terraform init that could not install providers', () => {
  // Terraform 1.11's own words (the real runs: harness.e2e.test.ts).
  const unreachable = (how: string) => `Initializing the backend...
Initializing provider plugins...
- Finding hashicorp/aws versions matching "5.100.0"...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider hashicorp/aws:
could not connect to registry.terraform.io: failed to request discovery
document: Get "https://registry.terraform.io/.well-known/terraform.json":
${how}
`;
  const invalid = `
Error: Invalid version constraint

  on cdk.tf.json line 35, in terraform.required_providers.aws:
  35:         "version": "not a version"
`;

  test.each([
    ['dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host'],
    ['proxyconnect tcp: dial tcp 127.0.0.1:9: connect: connection refused'],
  ])('no registry access (%s): not checked, with the reason', (how) => {
    expect(unreachableProviderSource(unreachable(how))).toBe(
      'providers could not be installed: registry.terraform.io is unreachable (Failed to query available provider packages); set TF_PLUGIN_MIRROR to an offline mirror to check it here',
    );
  });

  test('any other error, alone or beside a network error, is a real failure', () => {
    expect(unreachableProviderSource(invalid)).toBeUndefined();
    expect(unreachableProviderSource(`${unreachable('dial tcp: i/o timeout')}${invalid}`)).toBeUndefined();
    expect(unreachableProviderSource('Error: Failed to query available provider packages\n\nno available releases match the given constraints 0.0.1')).toBeUndefined();
    expect(unreachableProviderSource('')).toBeUndefined();
  });
});

describe('a shared aws provider process', () => {
  test('only a stack with exactly one aws configuration and no custom CA bundle attaches to one', () => {
    expect(attachable({ provider: { aws: [{ region: 'us-west-2' }] } })).toBe(true);
    expect(attachable({ provider: { aws: { region: 'us-west-2' } } })).toBe(true);
    expect(attachable({ provider: { aws: [{ region: 'us-west-2' }, { alias: 'east', region: 'us-east-1' }] } })).toBe(false);
    expect(attachable({ provider: { aws: [{ region: 'us-west-2', custom_ca_bundle: '/etc/ca.pem' }] } })).toBe(false);
    expect(attachable({ provider: { helm: [{}] } })).toBe(false);
    expect(attachable({})).toBe(false);
  });

  test('the attach value is read from what the plugin prints in debug mode, and only for the aws provider', () => {
    const value = '{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","ProtocolVersion":5,"Pid":8301,"Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin2144998322"}}}';
    const printed = `Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='${value}'\n`;
    expect(reattachValue(printed)).toBe(value);
    expect(reattachValue(printed.slice(0, 120))).toBeUndefined();
    expect(reattachValue(printed.replace('hashicorp/aws', 'hashicorp/helm'))).toBeUndefined();
  });

  test("the plugin process runs without AWS_CA_BUNDLE and another process's attach value, with the Go settings of a long-lived process", () => {
    const env = { PATH: '/usr/bin', AWS_CA_BUNDLE: '/etc/ssl/ca.pem', GOGC: 'off', GOMEMLIMIT: '2GiB', TF_REATTACH_PROVIDERS: '{}', TF_LOG: 'warn' };
    expect(serverEnv(env)).toEqual({ PATH: '/usr/bin', TF_LOG: 'warn', GOGC: '400' });
    expect(env.AWS_CA_BUNDLE).toBe('/etc/ssl/ca.pem');
  });
});

describe('what terraform init reads of a harness working directory (initKey)', () => {
  const stack = (extra: object = {}) => ({
    terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } }, required_version: '>= 1.10' },
    provider: { aws: [{ region: 'us-west-2' }] },
    resource: { aws_vpc: {} },
    ...extra,
  });

  test('stacks of other resources of the same providers read the same; built-in terraform_* types need no provider', () => {
    expect(initKey(stack({ resource: { aws_eks_cluster: {}, terraform_data: {} }, data: { terraform_remote_state: {} } }))).toBe(initKey(stack()));
  });

  test('another provider version, another required Terraform version, or a provider used without being required reads differently', () => {
    expect(initKey(stack({ terraform: { required_providers: { aws: { source: 'aws', version: '5.99.0' } }, required_version: '>= 1.10' } }))).not.toBe(initKey(stack()));
    expect(initKey(stack({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } }, required_version: '>= 1.11' } }))).not.toBe(initKey(stack()));
    expect(initKey(stack({ resource: { aws_vpc: {}, random_id: {} } }))).not.toBe(initKey(stack()));
  });

  test('modules and HCP Terraform are more than the key covers: such a stack always runs its own init', () => {
    expect(initKey(stack({ module: { vpc: { source: './vpc' } } }))).toBeUndefined();
    expect(initKey(stack({ terraform: { cloud: { organization: 'acme' } } }))).toBeUndefined();
  });
});
