import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { defineSingleRegion, loadEnvironmentConfig } from '@cilium-eks/cluster-factory';
import { resourcesOf } from '@cilium-eks/cluster-factory/testing';

const ENVIRONMENTS = join(import.meta.dirname, '../../environments');

function synth(env: 'prod' | 'sandbox') {
  const { platform } = defineSingleRegion(Testing.app(), loadEnvironmentConfig(join(ENVIRONMENTS, `${env}.yaml`)));
  return { network: Testing.synth(platform.network), cluster: Testing.synth(platform.cluster), compute: Testing.synth(platform.compute) };
}

const first = <T>(stack: string, type: { tfResourceType: string }) => Object.values(resourcesOf(stack, type))[0] as T;

describe('prod differs from sandbox where production needs it', () => {
  const prod = synth('prod');
  const sandbox = synth('sandbox');

  test.each([
    ['NAT gateways (one per zone vs one)', (s: typeof prod) => Object.keys(resourcesOf(s.network, NatGateway)).length, 3, 1],
    ['public API endpoint', (s: typeof prod) => first<{ vpc_config: { endpoint_public_access: boolean } }>(s.cluster, EksCluster).vpc_config.endpoint_public_access, false, true],
    ['control-plane log retention (days)', (s: typeof prod) => first<{ retention_in_days: number }>(s.cluster, CloudwatchLogGroup).retention_in_days, 365, 7],
    ['prevent_destroy on the cluster', (s: typeof prod) => first<{ lifecycle?: { prevent_destroy?: boolean } }>(s.cluster, EksCluster).lifecycle?.prevent_destroy ?? false, true, false],
    ['prevent_destroy on the secrets KMS key', (s: typeof prod) => first<{ lifecycle?: { prevent_destroy?: boolean } }>(s.cluster, KmsKey).lifecycle?.prevent_destroy ?? false, true, false],
    ['pinned account', (s: typeof prod) => (JSON.parse(s.cluster) as { provider: Record<string, Array<{ allowed_account_ids: string[] }>> }).provider[AwsProvider.tfResourceType]![0]!.allowed_account_ids, ['222222222222'], ['111111111111']],
    ['system node group minimum (one per zone)', (s: typeof prod) => (resourcesOf(s.compute, EksNodeGroup)['node-group-system_node-group_7C1EA68C'] as { scaling_config: { min_size: number } }).scaling_config.min_size, 3, 2],
    ['private subnets (zones)', (s: typeof prod) => (s.network.match(/"kubernetes.io\/role\/internal-elb"/g) ?? []).length, 3, 2],
  ])('%s', (_name, measure, prodValue, sandboxValue) => {
    expect(measure(prod)).toEqual(prodValue);
    expect(measure(sandbox)).toEqual(sandboxValue);
  });

  test('sandbox keeps spot capacity for cheap experiments; prod runs on-demand only', () => {
    const capacity = (s: typeof prod) => Object.values(resourcesOf(s.compute, EksNodeGroup)).map((group) => group.capacity_type).sort();
    expect(capacity(sandbox)).toEqual(['ON_DEMAND', 'SPOT']);
    expect(capacity(prod)).toEqual(['ON_DEMAND']);
  });
});
