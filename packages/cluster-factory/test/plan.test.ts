import { describe, expect, test } from 'vitest';
import { loadEnvironmentConfig, loadMultiRegionConfig, parseConfig, parseEnvironmentConfig } from '../src/config/load.js';
import { multiRegionSchema } from '../src/config/multi-region-schema.js';
import { FARGATE_DISABLES_CILIUM_WARNING } from '../src/networking/decision.js';
import { planPlatform, planStateBootstrap } from '../src/plan/platform-plan.js';
import { planMultiRegion } from '../src/plan/multi-region-plan.js';
import { enabledFeatureNames, type FeatureConfig } from '../src/features/built-in.js';
import { eksAddonVersion } from '../src/lifecycle/eks-addons.js';
import { join } from 'node:path';

/** The smallest environment: every default, one node group of two types. */
const MINIMAL = `
name: plan-test
aws_account_id: "123456789012"
region: eu-west-1
availability_zones: [eu-west-1a, eu-west-1b]
vpc_cidr: 10.60.0.0/16
node_groups:
  - name: system
    instance_types: [m5.large, m6i.xlarge]
state:
  bucket: plan-test-state
  region: eu-west-1
`;

const plan = (extra = '') => planPlatform(parseEnvironmentConfig(`${MINIMAL}${extra}`, 'plan-test.yaml'));

describe('planPlatform: decisions made once, without synthesizing', () => {
  test('defaults: Cilium ENI mode with kube-proxy replacement and Hubble, names and settings from the config', () => {
    const result = plan();
    expect(result.networking).toEqual({ cni: 'cilium', ciliumEnabled: true, ciliumMode: 'eni', kubeProxyReplacement: true, hubble: true, warnings: [] });
    expect(result.clusterName).toBe('plan-test');
    expect(result.settings).toEqual({
      environment: 'plan-test',
      stackPrefix: 'plan-test',
      region: 'eu-west-1',
      accountId: '123456789012',
      stateBucket: 'plan-test-state',
      stateRegion: 'eu-west-1',
      tags: { Environment: 'plan-test', Cluster: 'plan-test', ManagedBy: 'cdktf' },
      protected: false,
    });
    expect(result.warnings).toEqual([]);
    expect(result.features.karpenter).toBeUndefined();
    // Every cluster gets the AWS Load Balancer Controller, and Cilium unless Fargate turns it off; nothing else is on by default.
    expect(result.features).toEqual({ cilium: result.cilium, 'aws-load-balancer-controller': { defaultScheme: 'internal' } });
  });

  test('ENI mode: a node group\'s maxPods is its smallest type\'s (m5.large: 3 x 9 - 2 + 3 host-network pods)', () => {
    const result = plan();
    expect(result.cilium?.podCapacity).toEqual({ mode: 'eni', prefixDelegation: false, hostNetworkPods: 3 });
    expect(result.nodeGroups).toEqual([
      {
        name: 'system',
        instanceTypes: ['m5.large', 'm6i.xlarge'],
        capacityType: 'ON_DEMAND',
        minSize: 2,
        maxSize: 4,
        desiredSize: 2,
        diskSizeGib: 50,
        labels: {},
        maxPods: 28,
        amiType: 'AL2023_x86_64_STANDARD',
        acceleratorTaint: undefined,
      },
    ]);
  });

  test.each([
    ['eni', 'cilium_mode: eni', 28, { mode: 'eni', prefixDelegation: false, hostNetworkPods: 3 }],
    ['eni with prefix delegation', 'cilium:\n  prefix_delegation: true', 110, { mode: 'eni', prefixDelegation: true, hostNetworkPods: 3 }],
    ['overlay without kube-proxy replacement', 'cilium_mode: overlay\nenable_kube_proxy_replacement: false', 110, { mode: 'overlay', prefixDelegation: false, hostNetworkPods: 4 }],
  ])('%s: node maxPods %d', (_mode, yaml, maxPods, podCapacity) => {
    const result = plan(yaml);
    expect(result.cilium?.podCapacity).toEqual(podCapacity);
    expect(result.nodeGroups[0]!.maxPods).toBe(maxPods);
  });

  test('Fargate turns Cilium off: no Cilium plan, no maxPods, no budget, the warning on the cluster stack', () => {
    const result = plan('enable_fargate: true\nfargate_profiles:\n  - name: apps\n    selectors:\n      - namespace: apps');
    expect(result.networking).toMatchObject({ cni: 'aws-vpc-cni', ciliumEnabled: false });
    expect(result.cilium).toBeUndefined();
    expect(result.ipBudget).toBeUndefined();
    expect(result.nodeGroups[0]!.maxPods).toBeUndefined();
    expect(result.features['ebs-csi-driver']).toBeUndefined();
    expect(result.features.spire).toBeUndefined();
    expect(result.nodeAddons.map((addon) => addon.name)).toEqual(['coredns']);
    expect(result.fargateProfiles).toEqual([{ name: 'apps', selectors: [{ namespace: 'apps', labels: {} }] }]);
    expect(result.warnings).toEqual([{ stack: 'cluster', message: FARGATE_DISABLES_CILIUM_WARNING }]);
  });

  test('a node type below min_pods_per_node: a warning on the compute stack, naming the group and the remedy', () => {
    expect(plan('min_pods_per_node: 40').warnings).toEqual([
      {
        stack: 'compute',
        message:
          'node_groups[0] (system): m5.large holds at most 28 pods with the Cilium eni datapath, fewer than min_pods_per_node 40; use a larger instance type or cilium.prefix_delegation',
      },
    ]);
  });

  test('Karpenter: one maxPods for the EC2NodeClass, pools in camelCase, the literal node role name', () => {
    const result = plan('karpenter:\n  enabled: true\n  gpu:\n    instance_families: [g5]\n    cpu_limit: 16');
    expect(result.features.karpenter).toEqual({
      nodeClass: { clusterName: 'plan-test', nodeRoleName: 'plan-test-karpenter-node', amiAlias: 'al2023@v20260903', maxPods: 28, ciliumEni: true },
      pools: [
        {
          name: 'general',
          capacityTypes: ['spot', 'on-demand'],
          instanceCategories: ['c', 'm', 'r'],
          instanceFamilies: [],
          architectures: ['amd64'],
          cpuLimit: 100,
          memoryLimitGib: 400,
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: '1m',
          gpu: false,
        },
        {
          name: 'gpu',
          capacityTypes: ['spot', 'on-demand'],
          instanceCategories: ['c', 'm', 'r'],
          instanceFamilies: ['g5'],
          architectures: ['amd64'],
          cpuLimit: 16,
          memoryLimitGib: 400,
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: '1m',
          gpu: true,
        },
      ],
      reservedEnis: 0,
      createSpotServiceLinkedRole: false,
    });
    expect(result.ipBudget?.zones[0]!.sources.map((source) => source.label)).toEqual(['node_groups[0] (system)', 'karpenter.general', 'karpenter.gpu']);
  });

  test('protection follows protect_stateful_resources, whatever the environment is called', () => {
    const result = plan('protect_stateful_resources: true\nupgrade_policy:\n  support_type: EXTENDED');
    expect(result.settings.protected).toBe(true);
  });

  test('add-ons: Argo CD with its repository, the policy baseline, SPIRE brings the EBS CSI driver', () => {
    const result = plan(
      'platform:\n  network_policy_baseline: true\n  argocd:\n    gitops_repo: https://git.example.com/gitops.git\ncilium:\n  mutual_auth: true',
    );
    expect(result.features).toEqual({
      cilium: result.cilium,
      spire: { storageClass: 'gp3-encrypted' },
      'ebs-csi-driver': { addon: { name: 'aws-ebs-csi-driver', version: eksAddonVersion('aws-ebs-csi-driver', result.controlPlane.kubernetesVersion) } },
      'aws-load-balancer-controller': { defaultScheme: 'internal' },
      'network-policy-baseline': true,
      argocd: { repoUrl: 'https://git.example.com/gitops.git', revision: 'main', path: 'clusters' },
    });
    expect(result.features['ebs-csi-driver']!.addon.version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    // The core's node add-ons: CoreDNS alone; the feature brings the EBS CSI driver.
    expect(result.nodeAddons.map((addon) => addon.name)).toEqual(['coredns']);
    expect(result.cilium?.values).toMatchObject({ mutualAuth: true, clusterName: 'plan-test', vpcCidr: '10.60.0.0/16' });
  });

  test('the state bucket stack: in the state region, its own tags without a cluster, local state first', () => {
    expect(planStateBootstrap(parseEnvironmentConfig(`${MINIMAL}tags:\n  Team: platform\n`, 'plan-test.yaml'))).toEqual({
      settings: {
        environment: 'plan-test',
        stackPrefix: 'plan-test',
        region: 'eu-west-1',
        accountId: '123456789012',
        stateBucket: 'plan-test-state',
        stateRegion: 'eu-west-1',
        tags: { Environment: 'plan-test', ManagedBy: 'cdktf', Team: 'platform' },
      },
      ownState: 'local',
    });
  });
});

const MESH = `
name: mesh
aws_account_id: "123456789012"
regions:
  - region: us-west-2
    availability_zones: [us-west-2a, us-west-2b]
    vpc_cidr: 10.70.0.0/16
    cluster_id: 1
  - region: eu-west-1
    availability_zones: [eu-west-1a, eu-west-1b]
    vpc_cidr: 10.71.0.0/16
    cluster_id: 2
node_groups:
  - name: system
    instance_types: [m6i.large]
state:
  bucket: mesh-state
  region: us-west-2
`;

describe('planMultiRegion: one plan per region, mesh membership decided once', () => {
  const meshPlan = (extra = '') => planMultiRegion(parseConfig(`${MESH}${extra}`, 'mesh.yaml', multiRegionSchema));

  test.each([
    [false, 1],
    [true, 2],
  ])('protected %s: %i clustermesh API servers per cluster, peers by DNS name, the shared CA', (protect, replicas) => {
    const result = meshPlan(`protect_stateful_resources: ${protect}\nupgrade_policy:\n  support_type: EXTENDED`);
    expect(result.regions.map(({ region, clusterId, plan: regional }) => [region, clusterId, regional.clusterName, regional.settings.stackPrefix])).toEqual([
      ['us-west-2', 1, 'mesh-us-west-2', 'mesh-us-west-2'],
      ['eu-west-1', 2, 'mesh-eu-west-1', 'mesh-eu-west-1'],
    ]);
    expect(result.regions[0]!.plan.clusterMesh).toEqual({
      membership: {
        clusterId: 1,
        address: 'mesh-us-west-2.mesh.mesh.internal',
        peers: [{ name: 'mesh-eu-west-1', address: 'mesh-eu-west-1.mesh.mesh.internal' }],
        apiServerReplicas: replicas,
        apiServerClientCidrs: ['10.70.0.0/16', '10.71.0.0/16'],
        pathMtu: 8500,
      },
      peerVpcCidrs: ['10.71.0.0/16'],
      caSecret: { secretId: 'mesh/cilium-cluster-mesh-ca', region: 'us-west-2' },
      dns: { zoneName: 'mesh.mesh.internal', recordName: 'mesh-us-west-2.mesh.mesh.internal' },
    });
    expect(result.regions[1]!.plan.cilium?.values.clusterMesh).toEqual(result.regions[1]!.plan.clusterMesh?.membership);
    expect(result.mesh).toEqual({
      settings: {
        environment: 'mesh',
        stackPrefix: 'mesh',
        region: 'us-west-2',
        accountId: '123456789012',
        stateBucket: 'mesh-state',
        stateRegion: 'us-west-2',
        tags: { Environment: 'mesh', Cluster: 'mesh', ManagedBy: 'cdktf' },
        protected: protect,
      },
      zoneName: 'mesh.mesh.internal',
      caSecretName: 'mesh/cilium-cluster-mesh-ca',
    });
  });

  test('without a mesh: regional plans only, no membership, no global stack', () => {
    const result = meshPlan('cluster_mesh:\n  enabled: false');
    expect(result.mesh).toBeUndefined();
    expect(result.regions.map(({ plan: regional }) => regional.clusterMesh)).toEqual([undefined, undefined]);
    expect(result.state!.settings.stackPrefix).toBe('mesh');
  });
});

describe('built-in features: the plan plans what the config turns on', () => {
  const environments = join(import.meta.dirname, '../../../environments');
  test.each(['sandbox', 'prod'])('%s: plan.features has exactly the features enabledIn names, in registry order', (name) => {
    const config = loadEnvironmentConfig(join(environments, `${name}.yaml`));
    expect(Object.keys(planPlatform(config).features)).toEqual(enabledFeatureNames(config));
  });

  test('multi-region: every region plans the features of the file, the mesh DNS with them', () => {
    const config = loadMultiRegionConfig(join(environments, 'multi-region.yaml'));
    const expected = enabledFeatureNames(config as unknown as FeatureConfig);
    expect(expected).toContain('cluster-mesh-dns');
    for (const region of planMultiRegion(config).regions) expect(Object.keys(region.plan.features)).toEqual(expected);
  });
});
