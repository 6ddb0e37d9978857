import { describe, expect, test } from 'vitest';
import { Fn, Testing, TerraformStack } from 'cdktf';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { ManagedNodeGroup, type ManagedNodeGroupProps } from '../src/constructs/managed-node-group.js';
import { ComputeStack, type ComputeStackProps } from '../src/stacks/compute-stack.js';
import { EnvironmentStack, type StackSettings } from '../src/stacks/environment-stack.js';
import { StateBucketStack } from '../src/stacks/state-bucket-stack.js';
import { karpenterAddon, type KarpenterAddonProps } from '../src/karpenter/karpenter-addon.js';
import type { KarpenterPool } from '../src/karpenter/node-pools.js';
import { decideNetworking } from '../src/networking/decision.js';
import type { NodeGroupPlan } from '../src/plan/platform-plan.js';
import { resourcesOf } from '../testing/index.js';
import { EksControlPlane } from '../src/constructs/eks-control-plane.js';
import { KarpenterInfrastructure } from '../src/karpenter/karpenter-infrastructure.js';
import { networkPolicyBaselineAddon } from '../src/features/network-policy-baseline/network-policy-baseline.js';
import { PUBLIC_ENDPOINT_NEEDS_CIDRS } from '../src/networking/platform-rules.js';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { ClusterStack, type ClusterStackProps } from '../src/stacks/cluster-stack.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { featureComputes, type AnyFeature, type FeaturePlans } from '../src/features/built-in.js';
import { feature as ebsCsiDriver } from '../src/features/ebs-csi-driver/feature.js';
import type { CorePlan } from '../src/plan/platform-plan.js';

/** Small fixtures of this file's own: no environment file involved. */
const SETTINGS: StackSettings = { environment: 'unit', region: 'us-west-2', accountId: '111111111111', stateBucket: 'unit-state', stateRegion: 'us-west-2', tags: { Team: 'unit' } };
const CILIUM = decideNetworking({ enableCilium: true, enableFargate: false, ciliumMode: 'eni', enableKubeProxyReplacement: true, enableHubble: true });
const VPC_CNI = decideNetworking({ enableCilium: false, enableFargate: true, ciliumMode: 'eni', enableKubeProxyReplacement: true, enableHubble: true });

describe('ManagedNodeGroup', () => {
  const props: ManagedNodeGroupProps = {
    clusterName: 'unit',
    name: 'system',
    kubernetesVersion: '1.35',
    nodeRoleArn: 'arn:aws:iam::111111111111:role/unit-node',
    subnetIds: ['subnet-a'],
    securityGroupIds: ['sg-a'],
    instanceTypes: ['m6i.large'],
    minSize: 1,
    maxSize: 3,
    desiredSize: 2,
    maxPods: 28,
  };
  const synth = (overrides: Partial<ManagedNodeGroupProps> = {}) => {
    const stack = new TerraformStack(Testing.app(), 'unit');
    new ManagedNodeGroup(stack, 'group', { ...props, ...overrides });
    return Testing.synth(stack);
  };

  test('AL2023 at the control plane\'s version, rolling a third at a time; scaling from props, desired size left to autoscalers; IMDSv2 with hop limit 1 and an encrypted gp3 root volume', () => {
    const stack = synth();
    expect(Object.values(resourcesOf(stack, EksNodeGroup))[0]).toMatchObject({
      ami_type: 'AL2023_x86_64_STANDARD',
      version: '1.35',
      update_config: { max_unavailable_percentage: 33 },
      capacity_type: 'ON_DEMAND',
      instance_types: ['m6i.large'],
      scaling_config: { min_size: 1, max_size: 3, desired_size: 2 },
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
    });
    expect(Object.values(resourcesOf(stack, LaunchTemplate))[0]).toMatchObject({
      name: 'unit-system',
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 50, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } }],
    });
  });

  test.each([
    [{ instanceTypes: [] }, 'node group system: instanceTypes must list at least one instance type'],
    [{ minSize: 4 }, 'node group system: minSize 4 must be between 0 and maxSize 3'],
    [{ minSize: 0, maxSize: 0, desiredSize: 0 }, 'node group system: maxSize 0 must be at least 1'],
    [{ desiredSize: 5 }, 'node group system: desiredSize 5 must be within minSize..maxSize (1..3)'],
    [{ maxPods: 0 }, 'node group system: maxPods 0 must be a positive whole number'],
    [
      { instanceTypes: ['m6i.large', 'm7g.large'] },
      'node group system: instanceTypes mixes CPU architectures: m6i.large (amd64), m7g.large (arm64); a managed node group has one AMI type (AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD): use one node group per architecture',
    ],
    [{ instanceTypes: ['m7g.large'], amiType: 'AL2023_x86_64_STANDARD' }, 'node group system: amiType AL2023_x86_64_STANDARD does not boot m7g.large (arm64, accelerator none): use AL2023_ARM_64_STANDARD'],
    [{ instanceTypes: ['m9z.large'] }, 'node group system: m9z.large not in the instance table (docs/INSTANCE_TYPES.md): the AMI type and pod capacity come from it'],
  ])('refuses %j: %s', (overrides, message) => {
    expect(() => synth(overrides as Partial<ManagedNodeGroupProps>)).toThrow(new Error(message));
  });

  test.each([
    ['m7g.large', 'AL2023_ARM_64_STANDARD'],
    ['g5.xlarge', 'AL2023_x86_64_NVIDIA'],
    ['g5g.xlarge', 'AL2023_ARM_64_NVIDIA'],
    ['inf2.xlarge', 'AL2023_x86_64_NEURON'],
  ])('%s: ami_type %s by default (the instance types\' architecture and accelerator)', (type, amiType) => {
    expect(Object.values(resourcesOf(synth({ instanceTypes: [type] }), EksNodeGroup))[0]).toMatchObject({ ami_type: amiType });
  });
});

describe('ComputeStack invariants', () => {
  const group: NodeGroupPlan = { name: 'system', instanceTypes: ['m6i.large'], capacityType: 'ON_DEMAND', minSize: 1, maxSize: 2, desiredSize: 1, diskSizeGib: 50, labels: {}, maxPods: 28, amiType: 'AL2023_x86_64_STANDARD' };
  const props: ComputeStackProps = {
    settings: SETTINGS,
    clusterName: 'unit',
    kubernetesVersion: '1.35',
    addons: [{ name: 'coredns', version: 'v1.14.3-eksbuild.3' }],
    networking: CILIUM,
    privateSubnetIds: ['subnet-a'],
    clusterSecurityGroupId: 'sg-cluster',
    nodeSecurityGroupId: 'sg-node',
    nodeGroups: [group],
  };

  test.each([
    [{ nodeGroups: [] }, "unit-compute: nodeGroups must list at least one node group (CoreDNS and the platform's controllers run on EC2 nodes)"],
    [{ nodeGroups: [group, group] }, 'unit-compute: the node group name "system" is used twice'],
    [
      { fargateProfiles: [{ name: 'apps', selectors: [{ namespace: 'apps', labels: {} }] }] },
      'unit-compute: Fargate profiles cannot run with Cilium (no DaemonSets, no eBPF on Fargate); the networking decision turns Cilium off when Fargate is on',
    ],
    [{ nodeGroups: [{ ...group, maxPods: undefined }] }, 'unit-compute: node group system needs maxPods with Cilium (nodeadm would compute the VPC CNI figure)'],
    [{ addons: [] }, 'unit-compute: addons must include coredns'],
    [{ addons: [{ name: 'coredns', version: 'v1.14.3-eksbuild.3' }, { name: 'kube-proxy', version: 'v1.35.3-eksbuild.13' }] }, 'unit-compute: kube-proxy run without nodes and belong to the cluster stack'],
    [
      { addons: [{ name: 'coredns', version: 'v1.14.3-eksbuild.3' }, { name: 'aws-ebs-csi-driver', version: 'v1.62.0-eksbuild.1' }] },
      'unit-compute: aws-ebs-csi-driver comes with its Pod Identity role from the ebs-csi-driver feature (features)',
    ],
  ])('refuses %j', (overrides, message) => {
    expect(() => new ComputeStack(Testing.app(), { ...props, ...(overrides as Partial<ComputeStackProps>) })).toThrow(new Error(message));
  });

  test('the VPC CNI path: no maxPods needed, Fargate allowed, no Cilium startup taint', () => {
    const stack = new ComputeStack(Testing.app(), {
      ...props,
      networking: VPC_CNI,
      nodeGroups: [{ ...group, maxPods: undefined }],
      fargateProfiles: [{ name: 'apps', selectors: [{ namespace: 'apps', labels: {} }] }],
    });
    expect(Object.values(resourcesOf(Testing.synth(stack), EksNodeGroup))[0]).not.toHaveProperty('taint');
  });

  test('node add-ons are pinned, installed once nodes exist; the EBS CSI driver (its feature, with the node add-ons) brings its Pod Identity role', () => {
    const core = { settings: SETTINGS, extraStatements: {} } as unknown as CorePlan;
    const plans = { 'ebs-csi-driver': { addon: { name: 'aws-ebs-csi-driver', version: 'v1.62.0-eksbuild.1' } } } as unknown as FeaturePlans;
    const stack = new ComputeStack(Testing.app(), { ...props, features: featureComputes(plans, core, [ebsCsiDriver as unknown as AnyFeature]) });
    const synthesized = Testing.synth(stack);
    const addons = Object.values(resourcesOf(synthesized, EksAddon));
    // At the addresses it had before it became a module.
    expect(Object.keys(resourcesOf(synthesized, EksAddon)).sort()).toEqual(['addon-aws-ebs-csi-driver', 'addon-coredns']);
    expect(Object.values(resourcesOf(synthesized, IamRole)).map((role) => role.name).sort()).toEqual(['unit-ebs-csi', 'unit-node']);
    expect(Object.keys(resourcesOf(synthesized, IamRole))).toContainEqual(expect.stringMatching(/^ebs-csi-identity_role_[0-9A-F]{8}$/));
    expect(Object.fromEntries(addons.map((addon) => [addon.addon_name, addon.addon_version]))).toEqual({ coredns: 'v1.14.3-eksbuild.3', 'aws-ebs-csi-driver': 'v1.62.0-eksbuild.1' });
    expect(addons.find((addon) => addon.addon_name === 'aws-ebs-csi-driver')).toMatchObject({ pod_identity_association: [{ service_account: 'ebs-csi-controller-sa' }] });
    for (const addon of addons) expect(addon.depends_on).toEqual([expect.stringMatching(/^aws_eks_node_group\./)]);
  });
});

describe('ClusterStack', () => {
  const props: ClusterStackProps = {
    settings: SETTINGS,
    clusterName: 'unit',
    kubernetesVersion: '1.35',
    supportType: 'STANDARD',
    addons: [{ name: 'eks-pod-identity-agent', version: 'v1.3.10-eksbuild.3' }],
    networking: CILIUM,
    vpcId: 'vpc-a',
    privateSubnetIds: ['subnet-a'],
  };

  test('the version and the upgrade policy are stated; every add-on is pinned', () => {
    const synthesized = Testing.synth(new ClusterStack(Testing.app(), props));
    expect(Object.values(resourcesOf(synthesized, EksCluster))[0]).toMatchObject({ version: '1.35', upgrade_policy: { support_type: 'STANDARD' } });
    expect(Object.values(resourcesOf(synthesized, EksAddon)).map((addon) => [addon.addon_name, addon.addon_version])).toEqual([['eks-pod-identity-agent', 'v1.3.10-eksbuild.3']]);
  });

  test.each([
    [{ addons: [] }, 'unit-cluster: addons must include eks-pod-identity-agent (every controller identity is a Pod Identity association)'],
    [{ addons: [...props.addons, ...props.addons] }, 'unit-cluster: the add-on eks-pod-identity-agent is listed twice'],
    [{ addons: [...props.addons, { name: 'vpc-cni', version: 'v1.22.4-eksbuild.3' }] }, 'unit-cluster: vpc-cni cannot run with Cilium (Cilium is the only CNI)'],
    [{ addons: [...props.addons, { name: 'kube-proxy', version: 'v1.35.3-eksbuild.13' }] }, "unit-cluster: kube-proxy cannot run with Cilium's kube-proxy replacement"],
    [{ networking: VPC_CNI }, 'unit-cluster: without Cilium, addons must include vpc-cni'],
    [{ addons: [{ name: 'eks-pod-identity-agent', version: ' ' }] }, 'unit-cluster: the add-on eks-pod-identity-agent has no version (every EKS add-on is pinned)'],
  ])('refuses %j', (overrides, message) => {
    expect(() => new ClusterStack(Testing.app(), { ...props, ...(overrides as Partial<ClusterStackProps>) })).toThrow(new Error(message));
  });
});

describe('EnvironmentStack: backend and providers assembled once', () => {
  const synth = (stack: TerraformStack) => JSON.parse(Testing.synth(stack)) as { terraform: { backend: object; required_version?: string }; provider?: Record<string, unknown[]> };

  test('default: Terraform 1.10 or later; S3 state under <env>/<region>/<kind>, encrypted with S3-native locking; one AWS provider pinned to the account with default tags', () => {
    const json = synth(new EnvironmentStack(Testing.app(), 'network', SETTINGS));
    expect(json.terraform.required_version).toBe('>= 1.10');
    expect(json.terraform.backend).toEqual({ s3: { bucket: 'unit-state', key: 'unit/us-west-2/network.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true } });
    expect(json.provider).toEqual({ aws: [{ region: 'us-west-2', allowed_account_ids: ['111111111111'], default_tags: [{ tags: { Team: 'unit' } }] }] });
  });

  test('one aliased provider per region; none at all; a local backend', () => {
    const regions = synth(new EnvironmentStack(Testing.app(), 'global', SETTINGS, { aws: ['us-west-2', 'eu-west-1'] }));
    expect((regions.provider!.aws as Array<{ alias: string; region: string }>).map((provider) => [provider.alias, provider.region])).toEqual([
      ['us-west-2', 'us-west-2'],
      ['eu-west-1', 'eu-west-1'],
    ]);
    const bare = synth(new EnvironmentStack(Testing.app(), 'cni', SETTINGS, { aws: 'none', backend: { localPath: 'state.tfstate' } }));
    expect(bare.provider).toBeUndefined();
    expect(bare.terraform.backend).toEqual({ local: { path: 'state.tfstate' } });
  });

  test('the state bucket stack must live in the state region', () => {
    expect(() => new StateBucketStack(Testing.app(), { settings: { ...SETTINGS, region: 'eu-west-1' } })).toThrow(
      new Error('state bucket unit-state: the stack\'s region eu-west-1 must be the state region us-west-2'),
    );
  });
});

describe('karpenterAddon invariants', () => {
  const pool: KarpenterPool = {
    name: 'general',
    capacityTypes: ['spot'],
    instanceCategories: ['m'],
    instanceFamilies: [],
    cpuLimit: 16,
    memoryLimitGib: 64,
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '1m',
  };
  const props: KarpenterAddonProps = { clusterName: 'unit', nodeRoleName: 'unit-karpenter-node', amiAlias: 'al2023@latest', interruptionQueueName: 'unit-karpenter', reservedEnis: 0, pools: [pool] };

  test.each([
    [{ pools: [] }, 'karpenter add-on: pools must list at least one NodePool'],
    [{ pools: [pool, pool] }, 'karpenter add-on: the NodePool name "general" is used twice'],
    [{ clusterName: Fn.lower('unit') }, 'karpenter add-on: clusterName must be the literal cluster name, not a token (it is written into plain YAML)'],
  ])('refuses %j', (overrides, message) => {
    expect(() => karpenterAddon({ ...props, ...overrides })).toThrow(new Error(message));
  });
});

describe('rules the schema and the constructs share (networking/platform-rules.ts)', () => {
  test('EksControlPlane refuses a public endpoint without CIDRs, with the schema\'s reason', () => {
    const stack = new TerraformStack(Testing.app(), 'unit');
    expect(
      () =>
        new EksControlPlane(stack, 'control-plane', {
          clusterName: 'unit',
          kubernetesVersion: '1.35',
          supportType: 'EXTENDED',
          region: 'us-west-2',
          subnetIds: ['subnet-a'],
          endpointPublicAccess: true,
          bootstrapSelfManagedAddons: false,
        }),
    ).toThrow(new Error(`unit: a public endpoint needs publicAccessCidrs (${PUBLIC_ENDPOINT_NEEDS_CIDRS})`));
  });

  test('the policy baseline add-on refuses a cluster without Cilium', () => {
    const cluster = { clusterName: 'unit', region: 'us-west-2', accountId: '111111111111', environment: 'unit', networking: VPC_CNI, identities: {} };
    expect(() => networkPolicyBaselineAddon().deploy(new TerraformStack(Testing.app(), 'unit'), cluster)).toThrow(
      new Error('network-policy-baseline add-on: needs Cilium as the CNI (Cilium policies do nothing with the AWS VPC CNI)'),
    );
  });
});

describe('KarpenterInfrastructure', () => {
  test('its node role is a NodeRole; moved blocks carry a deployed role and attachments to the new addresses', () => {
    const stack = new TerraformStack(Testing.app(), 'unit');
    new KarpenterInfrastructure(stack, 'karpenter', { clusterName: 'unit', region: 'us-west-2', accountId: '111111111111' });
    const json = JSON.parse(Testing.synth(stack)) as { moved: Array<{ from: string; to: string }>; resource: Record<string, Record<string, { name?: string }>> };
    expect(json.moved.map((move) => move.from)).toEqual([
      'aws_iam_role.karpenter_node-role_64254103',
      'aws_iam_role_policy_attachment.karpenter_node-AmazonEKSWorkerNodePolicy_1345DA06',
      'aws_iam_role_policy_attachment.karpenter_node-AmazonEC2ContainerRegistryPullOnly_3B9C60F1',
      'aws_iam_role_policy_attachment.karpenter_node-AmazonSSMManagedInstanceCore_4C20F78B',
    ]);
    const movedTo = json.moved.map((move) => move.to.split('.') as [string, string]);
    for (const [type, id] of movedTo) expect(json.resource[type], `${type}.${id}`).toHaveProperty([id]);
    expect(json.resource.aws_iam_role![movedTo[0]![1]]!.name).toBe('unit-karpenter-node');
  });
});
