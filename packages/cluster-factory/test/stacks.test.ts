import { describe, expect, test } from 'vitest';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { EksFargateProfile } from '@cdktf/provider-aws/lib/eks-fargate-profile';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';
import { FARGATE_DISABLES_CILIUM_WARNING } from '../src/networking/decision.js';

const FARGATE_PROFILE = [{ name: 'serverless', selectors: [{ namespace: 'batch' }] }];

describe('EnvironmentPlatform', () => {
  test.each([
    { scenario: 'Cilium only', enable_cilium: true, enable_fargate: false, bootstrap: false, addons: ['eks-pod-identity-agent'] },
    { scenario: 'both requested', enable_cilium: true, enable_fargate: true, bootstrap: true, addons: ['eks-pod-identity-agent', 'kube-proxy', 'vpc-cni'] },
    { scenario: 'Fargate only', enable_cilium: false, enable_fargate: true, bootstrap: true, addons: ['eks-pod-identity-agent', 'kube-proxy', 'vpc-cni'] },
    { scenario: 'neither', enable_cilium: false, enable_fargate: false, bootstrap: true, addons: ['eks-pod-identity-agent', 'kube-proxy', 'vpc-cni'] },
  ])('$scenario: bootstrap_self_managed_addons=$bootstrap, add-ons $addons', ({ enable_cilium, enable_fargate, bootstrap, addons }) => {
    const { cluster, compute } = synthPlatform(
      sandboxConfig({ enable_cilium, enable_fargate, fargate_profiles: enable_fargate ? FARGATE_PROFILE : [], platform: {} }),
    );
    expect(cluster).toHaveResourceWithProperties(EksCluster, { bootstrap_self_managed_addons: bootstrap });
    const names = Object.values(resourcesOf(cluster, EksAddon)).map((addon) => addon.addon_name);
    expect(names.sort()).toEqual(addons);
    expect(compute).toHaveResourceWithProperties(EksAddon, { addon_name: 'coredns' });
    const nodeGroup = Object.values(resourcesOf(compute, EksNodeGroup))[0]!;
    if (enable_cilium && !enable_fargate) {
      expect(nodeGroup.taint).toEqual([{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NO_EXECUTE' }]);
    } else {
      expect(nodeGroup.taint).toBeUndefined();
    }
    expect(Object.keys(resourcesOf(compute, EksFargateProfile))).toHaveLength(enable_fargate ? 1 : 0);
  });

  test('both requested: the cluster stack carries the Fargate warning', () => {
    const { platform } = synthPlatform(sandboxConfig({ enable_cilium: true, enable_fargate: true, fargate_profiles: FARGATE_PROFILE, platform: {} }));
    const warnings = platform.cluster.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => entry.data);
    expect(warnings).toEqual([FARGATE_DISABLES_CILIUM_WARNING]);
  });

  test('VPC CNI gets its ENI permissions through Pod Identity, not the node role', () => {
    const { cluster, compute } = synthPlatform(sandboxConfig({ enable_cilium: false, platform: {} }));
    expect(cluster).toHaveResourceWithProperties(EksPodIdentityAssociation, { namespace: 'kube-system', service_account: 'aws-node' });
    expect(compute).not.toContain('AmazonEKS_CNI_Policy');
  });

  test('control plane: API auth, encrypted secrets, every log type, restricted public endpoint', () => {
    const { cluster } = synthPlatform(sandboxConfig());
    expect(cluster).toHaveResourceWithProperties(EksCluster, {
      name: 'sandbox',
      version: '1.35',
      upgrade_policy: { support_type: 'STANDARD' },
      access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
      enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      encryption_config: { resources: ['secrets'] },
      vpc_config: { endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] },
    });
    expect(cluster).toHaveResourceWithProperties(EksAccessEntry, { principal_arn: 'arn:aws:iam::111111111111:role/platform-admin', type: 'STANDARD' });
    expect(cluster).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(cluster).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  test('a private-only endpoint sets no public CIDRs', () => {
    const { cluster } = synthPlatform(sandboxConfig({ endpoint_access: { public: false } }));
    const eks = Object.values(resourcesOf(cluster, EksCluster))[0]!;
    expect(eks.vpc_config).toEqual(expect.objectContaining({ endpoint_public_access: false }));
    expect((eks.vpc_config as Record<string, unknown>).public_access_cidrs).toBeUndefined();
  });

  test('launch templates require IMDSv2 with hop limit 1 and encrypt the root volume', () => {
    const { compute } = synthPlatform(sandboxConfig());
    expect(compute).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_type: 'gp3', volume_size: 50 } }],
    });
  });

  test.each([
    { mode: 'eni', rules: ['self-all'] },
    { mode: 'overlay', rules: ['cilium-health', 'cilium-health-icmp', 'geneve', 'hubble', 'kubelet'] },
  ])('node security group rules for $mode', ({ mode, rules }) => {
    const { cluster } = synthPlatform(sandboxConfig({ cilium_mode: mode }));
    const ids = Object.keys(resourcesOf(cluster, VpcSecurityGroupIngressRule)).map((logicalId) => /ingress-([a-z-]+)_/.exec(logicalId)![1]);
    expect(ids.sort()).toEqual(rules);
  });

  test.each([
    { nat_gateways: 'single', count: 1 },
    { nat_gateways: 'one_per_zone', count: 2 },
  ])('NAT gateways: $nat_gateways -> $count', ({ nat_gateways, count }) => {
    const { network } = synthPlatform(sandboxConfig({ nat_gateways }));
    expect(Object.keys(resourcesOf(network, NatGateway))).toHaveLength(count);
  });

  test('private subnets carry the internal-elb and Karpenter discovery tags', () => {
    const { network } = synthPlatform(sandboxConfig());
    expect(network).toHaveResourceWithProperties(Subnet, {
      cidr_block: '10.10.0.0/18',
      availability_zone: 'us-west-2a',
      tags: { 'kubernetes.io/role/internal-elb': '1', 'karpenter.sh/discovery': 'sandbox' },
    });
    expect(network).toHaveResourceWithProperties(Subnet, { cidr_block: '10.10.192.0/20', tags: { 'kubernetes.io/role/elb': '1' } });
  });

  test('every stack: S3 state with locking, a unique key, pinned account, default tags', () => {
    const { network, cluster, compute } = synthPlatform(sandboxConfig());
    for (const [kind, stack] of Object.entries({ network, cluster, compute })) {
      const parsed = JSON.parse(stack) as { terraform: { backend: { s3: Record<string, unknown> } } };
      expect(parsed.terraform.backend.s3).toEqual({
        bucket: 'acme-tfstate-111111111111',
        key: `sandbox/us-west-2/${kind}.tfstate`,
        region: 'us-west-2',
        encrypt: true,
        use_lockfile: true,
      });
      expect(stack).toHaveProviderWithProperties(AwsProvider, {
        region: 'us-west-2',
        allowed_account_ids: ['111111111111'],
        default_tags: [{ tags: { Environment: 'sandbox', Cluster: 'sandbox', ManagedBy: 'cdktf', CostCenter: 'platform-sandbox' } }],
      });
    }
  });
});
