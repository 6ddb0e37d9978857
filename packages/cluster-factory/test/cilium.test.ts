import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Testing } from 'cdktf';
import { CILIUM_VALUES_INPUT } from './fixtures.js';
import { ciliumValues, valueKeyPaths } from '../src/features/cilium/values.js';
import { REMOVED_CILIUM_KEYS, ciliumChartKeys, unknownCiliumKeys } from '../src/features/cilium/chart-keys.js';
import { ciliumOperatorPolicy } from '../src/features/cilium/cilium-operator-identity.js';
import { CILIUM_CHART, GATEWAY_API_VERSION } from '../src/versions.js';
import { ConfigError } from '../src/config/load.js';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';

const INPUT = CILIUM_VALUES_INPUT;

function rejects(overrides: Record<string, unknown>): string[] {
  try {
    sandboxConfig(overrides);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('Cilium values per mode', () => {
  test.each([
    {
      mode: 'eni' as const,
      datapath: {
        routingMode: 'native',
        ipv4NativeRoutingCIDR: '10.10.0.0/16',
        // The chart's ENI default: pods keep their VPC addresses; the NAT gateway translates.
        enableIPv4Masquerade: false,
        ipam: { mode: 'eni' },
        eni: { enabled: true, awsEnablePrefixDelegation: false, awsReleaseExcessIPs: true, nodeSpec: { firstInterfaceIndex: 0, subnetTags: ['kubernetes.io/role/internal-elb=1'] } },
      },
    },
    {
      mode: 'overlay' as const,
      datapath: {
        routingMode: 'tunnel',
        tunnelProtocol: 'geneve',
        enableIPv4Masquerade: true,
        ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.32.0.0/13'], clusterPoolIPv4MaskSize: 24 } },
      },
    },
  ])('$mode', ({ mode, datapath }) => {
    expect(ciliumValues({ ...INPUT, mode })).toEqual({
      cluster: { name: 'sandbox' },
      kubeProxyReplacement: true,
      k8sServiceHost: 'ABC.gr7.us-west-2.eks.amazonaws.com',
      k8sServicePort: 443,
      hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
      l7Proxy: true,
      envoy: { enabled: true },
      gatewayAPI: { enabled: false },
      bgpControlPlane: { enabled: false },
      encryption: { enabled: false },
      authentication: { enabled: false, mutual: { spire: { enabled: false } } },
      operator: { replicas: 2, rollOutPods: true },
      rollOutCiliumPods: true,
      ...datapath,
    });
  });

  test('features on: WireGuard, SPIRE with its volume, Gateway API, BGP, prefix delegation', () => {
    const values = ciliumValues({ ...INPUT, wireguard: true, mutualAuth: true, gatewayApi: true, bgpControlPlane: true, prefixDelegation: true });
    expect(values.encryption).toEqual({ enabled: true, type: 'wireguard' });
    // Chart 1.19.6 defaults authentication.enabled to false and refuses SPIRE without it.
    expect(values.authentication.enabled).toBe(true);
    expect(values.authentication.mutual.spire).toEqual({
      enabled: true,
      install: { enabled: true, server: { dataStorage: { enabled: true, storageClass: 'gp3-encrypted' } } },
    });
    expect(values.gatewayAPI).toEqual({ enabled: true });
    expect(values.bgpControlPlane).toEqual({ enabled: true });
    expect(values.eni?.awsEnablePrefixDelegation).toBe(true);
  });
});

describe(`every key set exists in chart ${CILIUM_CHART.version}`, () => {
  const everything = { wireguard: true, mutualAuth: true, gatewayApi: true, bgpControlPlane: true, prefixDelegation: true };
  test.each([
    ['eni, features off', { ...INPUT }],
    ['eni, features on', { ...INPUT, ...everything }],
    ['overlay, features on', { ...INPUT, ...everything, mode: 'overlay' as const, prefixDelegation: false }],
    ['no kube-proxy replacement, no Hubble', { ...INPUT, kubeProxyReplacement: false, hubble: false }],
  ])('%s', (_name, input) => {
    const paths = valueKeyPaths(ciliumValues(input));
    expect(paths.length).toBeGreaterThan(20);
    expect(unknownCiliumKeys(paths)).toEqual([]);
    for (const removed of REMOVED_CILIUM_KEYS) expect(paths).not.toContain(removed);
  });

  test('the check catches a misspelled or removed key', () => {
    expect(unknownCiliumKeys(['tunnel', 'kubeProxyReplacment', 'hubble.relay.enabled', 'hubble.relay.enabeld'])).toEqual(['tunnel', 'kubeProxyReplacment', 'hubble.relay.enabeld']);
    // Free-form in the chart: map keys and list items under them are the user's.
    expect(unknownCiliumKeys(['clustermesh.apiserver.service.annotations.service.beta.kubernetes.io/x', 'clustermesh.config.clusters[].name'])).toEqual([]);
    expect(ciliumChartKeys().has('eni.nodeSpec.firstInterfaceIndex')).toBe(true);
  });

  test('kubeProxyReplacement is a boolean, never the removed strict/partial/probe strings', () => {
    for (const kpr of [true, false]) expect(typeof ciliumValues({ ...INPUT, kubeProxyReplacement: kpr }).kubeProxyReplacement).toBe('boolean');
  });
});

describe('refused combinations', () => {
  const withoutGateway = { gateway_api: false };
  test.each([
    [{ enable_kube_proxy_replacement: false, cilium: { gateway_api: true } }, 'cilium.gateway_api: needs enable_kube_proxy_replacement: true (Cilium Gateway API requires the kube-proxy replacement)'],
    [{ cilium: { gateway_api: true, l7_proxy: false } }, 'cilium.gateway_api: needs cilium.l7_proxy: true (Gateway API is served by the Envoy L7 proxy)'],
    [{ cilium: { ...withoutGateway, hubble_ui: true, hubble_relay: false } }, 'cilium.hubble_ui: needs cilium.hubble_relay: true (the UI reads flows through Hubble Relay)'],
    [{ enable_hubble: false, cilium: { ...withoutGateway, hubble_ui: false } }, 'cilium.hubble_relay: needs enable_hubble: true'],
    [{ cilium_mode: 'overlay', cilium: { ...withoutGateway, prefix_delegation: true } }, 'cilium.prefix_delegation: applies only to cilium_mode: eni'],
    [{ cilium_mode: 'overlay', cilium: { ...withoutGateway, pod_cidr: '10.10.128.0/17' } }, 'cilium.pod_cidr: 10.10.128.0/17 overlaps vpc_cidr 10.10.0.0/16'],
    [{ cilium_mode: 'overlay', cilium: { ...withoutGateway, pod_cidr: '172.16.0.0/12' } }, 'cilium.pod_cidr: 172.16.0.0/12 overlaps the service CIDR 172.20.0.0/16'],
    [
      { enable_fargate: true, fargate_profiles: [{ name: 'batch', selectors: [{ namespace: 'batch' }] }] },
      'platform.network_policy_baseline: needs Cilium (enable_cilium: true, enable_fargate: false): Cilium policies do nothing with the AWS VPC CNI',
    ],
  ])('%j', (overrides, message) => {
    expect(rejects(overrides).map((problem) => problem.replace(/^test-variant\.yaml(:\d+:\d+)?: /, ''))).toEqual([message]);
  });
});

describe('cni stack', () => {
  test('Gateway API CRDs are applied before Cilium, pinned to the version Cilium supports', () => {
    const { platform } = synthPlatform(sandboxConfig({ cilium: { gateway_api: true } }));
    const cni = Testing.synth(platform.cni!);
    const parsed = JSON.parse(cni) as { resource: { terraform_data: Record<string, { triggers_replace: object; provisioner: Array<{ 'local-exec': { environment: Record<string, string> } }> }> } };
    const crds = parsed.resource.terraform_data['gateway-api-crds']!;
    expect(crds.triggers_replace).toEqual({ version: GATEWAY_API_VERSION });
    expect(crds.provisioner[0]!['local-exec'].environment.MANIFEST_URL).toBe(`https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`);
    const cilium = resourcesOf(cni, Release).cilium!;
    expect(cilium).toMatchObject({
      chart: 'cilium',
      repository: 'https://helm.cilium.io',
      version: CILIUM_CHART.version,
      namespace: 'kube-system',
      wait: false,
      depends_on: ['terraform_data.gateway-api-crds'],
    });
    expect(parse((cilium.values as string[])[0]!)).toMatchObject({ gatewayAPI: { enabled: true }, kubeProxyReplacement: true });
    expect(cilium.set).toEqual([{ name: 'k8sServiceHost', value: expect.stringMatching(/^\$\{replace\(.*endpoint, "https:\/\/", ""\)\}$/) }]);
  });

  test('no Gateway API: no CRD step, no dependency', () => {
    const { platform } = synthPlatform(sandboxConfig({ cilium: { gateway_api: false } }));
    const cni = Testing.synth(platform.cni!);
    expect(JSON.parse(cni).resource.terraform_data).toBeUndefined();
    expect(resourcesOf(cni, Release).cilium!.depends_on).toBeUndefined();
  });

  test('mutual auth: SPIRE gets an encrypted gp3 StorageClass and the EBS CSI driver after nodes', () => {
    const { platform, compute } = synthPlatform(sandboxConfig({ cilium: { gateway_api: false, mutual_auth: true } }));
    expect(Testing.synth(platform.cni!)).toHaveResourceWithProperties(StorageClassV1, {
      metadata: { name: 'gp3-encrypted' },
      storage_provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
    });
    expect(compute).toHaveResourceWithProperties(EksAddon, { addon_name: 'aws-ebs-csi-driver', pod_identity_association: [{ service_account: 'ebs-csi-controller-sa' }] });
  });

  test('without Cilium (Fargate) there is no cni stack and compute depends on nothing Kubernetes-side', () => {
    const { platform } = synthPlatform(
      sandboxConfig({ enable_fargate: true, fargate_profiles: [{ name: 'batch', selectors: [{ namespace: 'batch' }] }], platform: {}, karpenter: { enabled: false } }),
    );
    expect(platform.cni).toBeUndefined();
    // Only the load balancer controller, which every cluster gets.
    expect([...platform.platform.installed.keys()]).toEqual(['aws-load-balancer-controller']);
    expect(platform.compute.dependencies).toEqual([]);
  });
});

describe('Cilium on the AWS side', () => {
  test('ENI mode: the operator gets scoped EC2 permissions through Pod Identity', () => {
    const { cluster } = synthPlatform(sandboxConfig());
    expect(cluster).toHaveResourceWithProperties(EksPodIdentityAssociation, { namespace: 'kube-system', service_account: 'cilium-operator' });
    expect(cluster).toHaveResourceWithProperties(IamRolePolicy, { name: 'cilium-eni-ipam' });
    const policy = ciliumOperatorPolicy({ clusterName: 'c', region: 'us-west-2', accountId: '111111111111', vpcId: 'vpc-1' }) as { Statement: Array<{ Sid: string; Resource: unknown; Condition?: unknown }> };
    const bySid = Object.fromEntries(policy.Statement.map((statement) => [statement.Sid, statement]));
    expect(bySid.CreateEnisInClusterVpc).toEqual({
      Sid: 'CreateEnisInClusterVpc',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterface',
      Resource: ['arn:aws:ec2:us-west-2:111111111111:subnet/*', 'arn:aws:ec2:us-west-2:111111111111:security-group/*'],
      Condition: { StringEquals: { 'ec2:Vpc': 'arn:aws:ec2:us-west-2:111111111111:vpc/vpc-1' } },
    });
    expect(bySid.TagOnlyNewEnis!.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateNetworkInterface' } });
    // Only Describe* runs on "*" (EC2 has no resource-level permissions for them).
    for (const statement of policy.Statement) if (statement.Resource === '*') expect(statement.Sid).toBe('DescribeForIpam');
  });

  test('overlay mode: no operator role (it allocates from the pod pool, not from EC2)', () => {
    const { cluster } = synthPlatform(sandboxConfig({ cilium_mode: 'overlay' }));
    expect(Object.values(resourcesOf(cluster, EksPodIdentityAssociation)).map((association) => association.service_account)).toEqual(['aws-load-balancer-controller']);
  });

  test.each([
    { kpr: true, addons: ['eks-pod-identity-agent'] },
    { kpr: false, addons: ['eks-pod-identity-agent', 'kube-proxy'] },
  ])('kube-proxy replacement $kpr -> add-ons $addons', ({ kpr, addons }) => {
    const { cluster } = synthPlatform(sandboxConfig({ enable_kube_proxy_replacement: kpr, cilium: { gateway_api: false } }));
    expect(Object.values(resourcesOf(cluster, EksAddon)).map((addon) => addon.addon_name).sort()).toEqual(addons);
  });

  test.each(['eni', 'overlay'])('mutual authentication opens TCP 4250 between nodes (%s; Cilium "Firewall Rules")', (mode) => {
    const rule = { ip_protocol: 'tcp', from_port: 4250, to_port: 4250 };
    const { cluster } = synthPlatform(sandboxConfig({ cilium_mode: mode, cilium: { gateway_api: false, mutual_auth: true } }));
    expect(cluster).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, rule);
    const without = synthPlatform(sandboxConfig({ cilium_mode: mode, cilium: { gateway_api: false } })).cluster;
    expect(without).not.toHaveResourceWithProperties(VpcSecurityGroupIngressRule, rule);
  });

  test('ENI mode: pod ENIs go only to subnets routed through NAT (and Transit Gateway), never to a public subnet', () => {
    const { network, platform } = synthPlatform(sandboxConfig());
    const values = parse((resourcesOf(Testing.synth(platform.cni!), Release).cilium!.values as string[])[0]!) as { eni: { nodeSpec: { subnetTags: string[] } } };
    const [key, value] = values.eni.nodeSpec.subnetTags[0]!.split('=');
    const subnets = resourcesOf(network, Subnet);
    const tagged = Object.keys(subnets).filter((id) => (subnets[id]!.tags as Record<string, string>)[key!] === value);
    expect(tagged.sort()).toEqual(Object.keys(subnets).filter((id) => id.startsWith('vpc_private-')).sort());
    // Each of them routes 0.0.0.0/0 to a NAT gateway (the public ones route to the internet gateway).
    const routes = Object.values(resourcesOf(network, Route)).filter((route) => route.destination_cidr_block === '0.0.0.0/0');
    expect(routes.filter((route) => route.nat_gateway_id)).toHaveLength(tagged.length);
  });

  test('the node security group carries no kubernetes.io/cluster tag: the load balancer controller opens the one group that does (the EKS cluster security group, on every node)', () => {
    const { cluster } = synthPlatform(sandboxConfig());
    const groups = Object.values(resourcesOf(cluster, SecurityGroup));
    expect(groups).toHaveLength(1);
    expect(Object.keys(groups[0]!.tags as Record<string, string>).filter((tag) => tag.startsWith('kubernetes.io/cluster/'))).toEqual([]);
  });

  test.each(['eni', 'overlay'])('WireGuard opens UDP 51871 between nodes (%s)', (mode) => {
    const { cluster } = synthPlatform(sandboxConfig({ cilium_mode: mode, cilium: { gateway_api: true, wireguard: true } }));
    expect(cluster).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { ip_protocol: 'udp', from_port: 51871, to_port: 51871 });
  });
});

describe('platform add-ons', () => {
  test('Argo CD: GitOps-bridge cluster secret carries the platform metadata; ApplicationSet targets this environment', () => {
    const { platform } = synthPlatform(sandboxConfig());
    const stack = Testing.synth(platform.platform!);
    expect(Object.values(resourcesOf(stack, SecretV1))[0]).toMatchObject({
      metadata: {
        name: 'in-cluster',
        namespace: 'argocd',
        labels: { 'argocd.argoproj.io/secret-type': 'cluster', environment: 'sandbox', cluster_name: 'sandbox', aws_region: 'us-west-2', cni: 'cilium', enable_cilium: 'true' },
        annotations: {
          aws_account_id: '111111111111',
          addons_repo_url: 'https://github.com/acme/platform-gitops.git',
          addons_repo_revision: 'main',
          addons_repo_basepath: 'clusters',
          cilium_operator_iam_role_arn: expect.stringMatching(/^\$\{.*cilium-operator.*arn\}$/),
        },
      },
    });
    const releases = resourcesOf(stack, Release);
    expect(releases.argocd).toMatchObject({ chart: 'argo-cd', version: '9.5.14', namespace: 'argocd', create_namespace: true });
    const appsets = parse((releases['argocd-applicationsets']!.values as string[])[0]!) as { applicationsets: Record<string, { generators: Array<{ matrix: { generators: object[] } }> }> };
    expect(appsets.applicationsets['platform-addons']!.generators[0]!.matrix.generators[0]).toEqual({ clusters: { selector: { matchLabels: { environment: 'sandbox' } } } });
    // After the load balancer controller: what Argo CD syncs may create LoadBalancer Services.
    expect(releases['argocd-applicationsets']!.depends_on).toEqual([
      'helm_release.argocd',
      'kubernetes_secret_v1.argocd-in-cluster',
      'terraform_data.aws-load-balancer-controller-crds',
      'helm_release.aws-load-balancer-controller',
    ]);
    expect(releases.argocd!.depends_on).toEqual(['terraform_data.aws-load-balancer-controller-crds', 'helm_release.aws-load-balancer-controller']);
  });

  test('policy baseline: the in-repo chart is copied into the stack as an asset', () => {
    const { platform } = synthPlatform(sandboxConfig());
    const release = resourcesOf(Testing.synth(platform.platform!), Release)['network-policy-baseline']!;
    expect(release.chart).toMatch(/^assets\/network-policy-baseline-chart_[0-9A-F]+\/[0-9A-F]+$/);
    expect(release).toMatchObject({ namespace: 'kube-system', atomic: true });
  });

  test('extra add-ons come after the ones they depend on', () => {
    const app = Testing.app();
    const platform = new EnvironmentPlatform(app, planPlatform(sandboxConfig()), {
      additionalAddons: () => [
        {
          name: 'karpenter-like',
          dependsOn: ['argocd'],
          deploy: (scope) => [new Release(scope, 'extra', { name: 'extra', chart: 'extra' })],
        },
      ],
    });
    const release = resourcesOf(Testing.synth(platform.platform!), Release).extra!;
    expect(release.depends_on).toEqual(['helm_release.argocd', 'kubernetes_secret_v1.argocd-in-cluster', 'helm_release.argocd-applicationsets']);
  });
});
