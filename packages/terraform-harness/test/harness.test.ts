import { describe, expect, test } from 'vitest';
import { deploymentOrder } from '../src/synth-output.js';
import { referenceType, placeholderState, type ProviderSchemas } from '../src/placeholders.js';

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

// Real terraform against the offline mirror: harness.e2e.test.ts.
