import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Ec2TransitGateway } from '@cdktf/provider-aws/lib/ec2-transit-gateway';
import { Ec2TransitGatewayPeeringAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-peering-attachment';
import { Ec2TransitGatewayRoute } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { multiRegionSchema, type MultiRegionConfig } from '../src/config/multi-region-schema.js';
import { defineMultiRegion } from '../src/cluster-mesh/multi-region-platform.js';
import { planMultiRegion } from '../src/plan/multi-region-plan.js';
import { resourcesOf } from '../testing/index.js';
import { MULTI_REGION_YAML, multiRegionConfig } from './fixtures.js';
import { TRANSIT_GATEWAY_MTU, ciliumRouteMtu, largestNodePacket } from '../src/cluster-mesh/path-mtu.js';

const YAML = MULTI_REGION_YAML;
const base = multiRegionConfig();
const config = multiRegionConfig;

/** The problems of a variant, without the file:line:column prefix. */
function problems(overrides: Partial<Record<keyof MultiRegionConfig, unknown>>): string[] {
  try {
    config(overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.replace(/^mr\.yaml(:\d+:\d+)?: /, ''));
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const region = (index: number, changes: Record<string, unknown>) => base.regions.map((entry, i) => (i === index ? { ...entry, ...changes } : entry));

describe('multi-region config', () => {
  test('the committed file is valid: three regions, ids 1-3', () => {
    expect(base.regions.map((entry) => [entry.region, entry.cluster_id])).toEqual([
      ['us-west-2', 1],
      ['us-east-1', 2],
      ['eu-west-1', 3],
    ]);
  });

  test.each([
    ['cluster id above the ENI-mode limit', { regions: region(1, { cluster_id: 200 }) }, ['regions[1].cluster_id: 200 must be 1-127: the Cilium chart fails for cluster ids 128-255 in ENI mode (cilium#21330)']],
    ['cluster id 0', { regions: region(0, { cluster_id: 0 }) }, ['regions[0].cluster_id: 0 must be 1-127 (0 is reserved)']],
    ['duplicate cluster id', { regions: region(2, { cluster_id: 1 }) }, ['regions[2].cluster_id: 1 is already used by regions[0] (us-west-2): cluster ids must be unique in the mesh']],
    [
      'clashing VPC CIDRs',
      { regions: region(2, { vpc_cidr: '10.40.0.0/16' }) },
      ['regions[2].vpc_cidr: 10.40.0.0/16 overlaps regions[0].vpc_cidr 10.40.0.0/16: address ranges in a Cluster Mesh must not overlap'],
    ],
    [
      'a VPC inside another',
      { regions: region(1, { vpc_cidr: '10.40.128.0/17' }) },
      ['regions[1].vpc_cidr: 10.40.128.0/17 overlaps regions[0].vpc_cidr 10.40.0.0/16: address ranges in a Cluster Mesh must not overlap'],
    ],
    ['fewer than two regions', { regions: base.regions.slice(0, 1) }, ['regions: a Cluster Mesh needs at least 2 regions']],
    ['the same region twice', { regions: region(1, { region: 'us-west-2', availability_zones: ['us-west-2a', 'us-west-2b'] }) }, ['regions[1].region: us-west-2 is already regions[0]: one cluster per region']],
    ['a zone outside its region', { regions: region(2, { availability_zones: ['eu-west-1a', 'us-east-1b'] }) }, ['regions[2].availability_zones[1]: "us-east-1b" is not a zone of region eu-west-1 (expected eu-west-1a, eu-west-1b, ...)']],
    [
      'overlay mode: every cluster on the same pod range',
      { cilium_mode: 'overlay' },
      [0, 1, 2].map((i) => `regions[${i}]: needs pod_cidr in overlay mode: each cluster of a Cluster Mesh needs its own pod range`),
    ],
    [
      'overlay mode: a pod range that clashes with another region\'s VPC',
      { cilium_mode: 'overlay', regions: base.regions.map((entry, i) => ({ ...entry, pod_cidr: ['10.100.0.0/16', '10.40.0.0/20', '10.102.0.0/16'][i] })) },
      ['regions[1].pod_cidr: 10.40.0.0/20 overlaps regions[0].vpc_cidr 10.40.0.0/16: address ranges in a Cluster Mesh must not overlap'],
    ],
    ['a name too long for Cilium', { name: 'platform-multi-region-prod' }, ['name: the cluster name "platform-multi-region-prod-us-west-2" is longer than 32 characters (Cilium\'s limit); use a shorter name']],
    ['mesh without Cilium', { enable_cilium: false, platform: {} }, ['cluster_mesh.enabled: needs Cilium (enable_cilium: true, enable_fargate: false)']],
  ])('%s', (_name, overrides, expected) => {
    expect(problems(overrides)).toEqual(expected);
  });

  test('a region with an error keeps neither the mesh rules nor its own from running; what needed it is named (issue 24)', () => {
    const regions = region(1, { region: 'us-east-11' }).map((entry, i) => (i === 2 ? { ...entry, cluster_id: 1 } : entry));
    expect(problems({ regions })).toEqual([
      'regions[1].region: "us-east-11" must be an AWS region such as us-west-2',
      'regions[2].cluster_id: 1 is already used by regions[0] (us-west-2): cluster ids must be unique in the mesh',
      "regions[1].region: not checked until it is valid: each regional cluster name fits Cilium's limit",
      'regions[1].region: not checked until it is valid: availability_zones are zones of region',
    ]);
  });

  test('overlay mode with a pod range per region is accepted', () => {
    const pods = ['10.100.0.0/16', '10.101.0.0/16', '10.102.0.0/16'];
    expect(() => config({ cilium_mode: 'overlay', regions: base.regions.map((entry, i) => ({ ...entry, pod_cidr: pods[i] })) })).not.toThrow();
  });

  test('a file error names its line', () => {
    expect(() => parseConfig(YAML.replace('cluster_id: 2', 'cluster_id: 200'), 'environments/multi-region.yaml', multiRegionSchema)).toThrow(
      /^environments\/multi-region\.yaml:\d+:17: regions\[1\]\.cluster_id: 200 must be 1-127: the Cilium chart fails for cluster ids 128-255 in ENI mode \(cilium#21330\)$/,
    );
  });
});

describe('Cluster Mesh stacks', () => {
  const app = Testing.app();
  const mesh = defineMultiRegion(app, planMultiRegion(base));
  const global = Testing.synth(mesh.global!);

  test.each([0, 1, 2])('region %i: cluster id, peers, certificate names and routing in the Cilium values', (index) => {
    const { platform, clusterId } = mesh.regions[index]!;
    const values = parse((resourcesOf(Testing.synth(platform.cni!), Release).cilium!.values as string[])[0]!) as {
      cluster: object;
      ipv4NativeRoutingCIDR: string;
      enableIPv4Masquerade: boolean;
      clustermesh: object;
    };
    const names = ['multi-region-us-west-2', 'multi-region-us-east-1', 'multi-region-eu-west-1'];
    expect(values.cluster).toEqual({ name: names[index], id: clusterId });
    // Each cluster routes its own VPC natively and masquerades nothing: pod addresses of every
    // member VPC reach the peers unchanged, whatever the ranges (no covering CIDR).
    expect(values.ipv4NativeRoutingCIDR).toBe(base.regions[index]!.vpc_cidr);
    expect(values.enableIPv4Masquerade).toBe(false);
    expect(values.clustermesh).toEqual({
      useAPIServer: true,
      apiserver: {
        // protect_stateful_resources: true in the committed multi-region file.
        replicas: 2,
        // Peers dial this name; the chart's certificate covers only *.mesh.cilium.io otherwise.
        tls: { server: { extraDnsNames: [`${names[index]}.mesh.multi-region.internal`] } },
        // An internal NLB of the AWS Load Balancer Controller (the class set here, not by its
        // webhook: the Service exists before the controller), ip targets (ENI mode: the pods
        // have VPC addresses), reachable from the mesh's VPCs only.
        service: {
          type: 'LoadBalancer',
          loadBalancerClass: 'service.k8s.aws/nlb',
          annotations: {
            'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
            'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
            'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
          },
          loadBalancerSourceRanges: [base.regions[index]!.vpc_cidr, ...base.regions.filter((_, i) => i !== index).map((entry) => entry.vpc_cidr)],
        },
      },
      config: {
        enabled: true,
        clusters: names.filter((_, i) => i !== index).map((name) => ({ name, address: `${name}.mesh.multi-region.internal`, port: 2379 })),
      },
    });
  });

  test.each([
    ['eni, WireGuard (the committed file)', {}, 8420],
    ['eni, no WireGuard', { cilium: { ...base.cilium, wireguard: false } }, 8500],
    ['overlay, WireGuard', { cilium_mode: 'overlay', regions: base.regions.map((entry, i) => ({ ...entry, pod_cidr: `10.${100 + i}.0.0/16` })) }, 8370],
  ] as const)('%s: every packet a member sends its peers fits Transit Gateway (8500), pods get %i', (_name, overrides, podMtu) => {
    const variant = defineMultiRegion(Testing.app(), planMultiRegion(config(overrides)));
    for (const { platform } of variant.regions) {
      const values = parse((resourcesOf(Testing.synth(platform.cni!), Release).cilium!.values as string[])[0]!) as { MTU?: number; encryption: { enabled: boolean }; routingMode: string };
      const datapath = { baseMtu: values.MTU, wireguard: values.encryption.enabled, tunnel: values.routingMode === 'tunnel' };
      expect(values.MTU).toBe(TRANSIT_GATEWAY_MTU);
      expect(ciliumRouteMtu(datapath)).toBe(podMtu);
      expect(largestNodePacket(datapath)).toBeLessThanOrEqual(TRANSIT_GATEWAY_MTU);
    }
  });

  test('Cilium\'s own arithmetic (pkg/mtu/mtu.go): from the device MTU (9001, the MTU left unset) WireGuard packets are 9001 bytes, which Transit Gateway drops', () => {
    expect(ciliumRouteMtu({ wireguard: true, tunnel: false })).toBe(8921);
    expect(largestNodePacket({ wireguard: true, tunnel: false })).toBe(9001);
    expect(largestNodePacket({ wireguard: true, tunnel: false })).toBeGreaterThan(TRANSIT_GATEWAY_MTU);
    expect(ciliumRouteMtu({ baseMtu: 8500, wireguard: true, tunnel: true })).toBe(8500 - 80 - 50);
  });

  test('a single-region cluster keeps the MTU Cilium detects (no Transit Gateway on its path)', () => {
    const values = parse((resourcesOf(Testing.synth(defineMultiRegion(Testing.app(), planMultiRegion(config({ cluster_mesh: { enabled: false } }))).regions[0]!.platform.cni!), Release).cilium!.values as string[])[0]!) as { MTU?: number };
    expect(values.MTU).toBeUndefined();
  });

  test('disjoint VPC ranges: each cluster routes its own VPC, nothing widens to 0.0.0.0/0', () => {
    const cidrs = ['10.40.0.0/16', '172.31.0.0/16', '192.168.0.0/16'];
    const disjoint = defineMultiRegion(Testing.app(), planMultiRegion(config({ regions: base.regions.map((entry, i) => ({ ...entry, vpc_cidr: cidrs[i] })) })));
    const routing = disjoint.regions.map(({ platform }) => {
      const values = parse((resourcesOf(Testing.synth(platform.cni!), Release).cilium!.values as string[])[0]!) as { ipv4NativeRoutingCIDR: string; enableIPv4Masquerade: boolean };
      return [values.ipv4NativeRoutingCIDR, values.enableIPv4Masquerade];
    });
    expect(routing).toEqual(cidrs.map((cidr) => [cidr, false]));
  });

  test('an unprotected mesh runs one clustermesh API server per cluster', () => {
    const unprotected = defineMultiRegion(Testing.app(), planMultiRegion(config({ protect_stateful_resources: false })));
    const values = parse((resourcesOf(Testing.synth(unprotected.regions[0]!.platform.cni!), Release).cilium!.values as string[])[0]!) as { clustermesh: { apiserver: { replicas: number } } };
    expect(values.clustermesh.apiserver.replicas).toBe(1);
  });

  test('the CNI stack\'s features come in registry order before Cilium: the Gateway API CRDs, the mesh CA, SPIRE\'s StorageClass', () => {
    const all = defineMultiRegion(Testing.app(), planMultiRegion(config({ cilium: { ...base.cilium, gateway_api: true, mutual_auth: true } })));
    const cni = Testing.synth(all.regions[1]!.platform.cni!);
    expect(resourcesOf(cni, Release).cilium!.depends_on).toEqual(['terraform_data.gateway-api-crds', 'terraform_data.cluster-mesh-ca', 'kubernetes_storage_class_v1.spire-storage']);
    expect(all.regions[1]!.platform.plan.features['cluster-mesh-ca']).toEqual({ secretId: expect.stringMatching(/cilium-cluster-mesh-ca$/), region: 'us-west-2' });
  });

  test('the mesh CA is imported before Cilium; the record for this API server is published', () => {
    const cni = Testing.synth(mesh.regions[0]!.platform.cni!);
    expect(resourcesOf(cni, Release).cilium!.depends_on).toEqual(['terraform_data.cluster-mesh-ca']);
    expect(cni).toContain('multi-region/cilium-cluster-mesh-ca');
    expect(Testing.synth(mesh.regions[0]!.platform.platform!)).toHaveResourceWithProperties(Route53Record, {
      name: 'multi-region-us-west-2.mesh.multi-region.internal',
      type: 'CNAME',
    });
  });

  test('node security groups admit the other regions', () => {
    const cluster = Testing.synth(mesh.regions[1]!.platform.cluster);
    const cidrs = Object.values(resourcesOf(cluster, VpcSecurityGroupIngressRule)).map((rule) => rule.cidr_ipv4).filter(Boolean);
    expect(cidrs).toEqual(['10.40.0.0/16', '10.42.0.0/16']);
  });

  test('global: a Transit Gateway per region, a peering per pair, routes both ways', () => {
    const asns = Object.fromEntries(Object.entries(resourcesOf(global, Ec2TransitGateway)).map(([id, tgw]) => [id.replace(/^tgw-|_.*$/g, ''), tgw.amazon_side_asn]));
    expect(asns).toEqual({ 'us-west-2': 64512, 'us-east-1': 64513, 'eu-west-1': 64514 });
    expect(Object.values(resourcesOf(global, Ec2TransitGatewayPeeringAttachment)).map((peering) => peering.peer_region).sort()).toEqual(['eu-west-1', 'eu-west-1', 'us-east-1']);
    // Each VPC CIDR is routed to from both other regions.
    expect(Object.values(resourcesOf(global, Ec2TransitGatewayRoute)).map((route) => route.destination_cidr_block).sort()).toEqual([
      '10.40.0.0/16',
      '10.40.0.0/16',
      '10.41.0.0/16',
      '10.41.0.0/16',
      '10.42.0.0/16',
      '10.42.0.0/16',
    ]);
    // Three zones per region, two peers each.
    expect(Object.keys(resourcesOf(global, Route))).toHaveLength(18);
    expect(Object.values(resourcesOf(global, Route53Zone))[0]).toMatchObject({ name: 'mesh.multi-region.internal' });
    expect(Object.values(resourcesOf(global, SecretsmanagerSecret))[0]).toMatchObject({ name: 'multi-region/cilium-cluster-mesh-ca', recovery_window_in_days: 30 });
  });

  test('the CA key never appears in the synthesized output', () => {
    expect(global).not.toMatch(/PRIVATE KEY|tls_private_key/);
  });
});

describe('a multi-region environment in an account whose bucket exists', () => {
  test('state.bootstrap: existing: no state stack; every key (the global stack\'s too) under state.key_prefix', () => {
    const app = Testing.app();
    const platform = defineMultiRegion(app, planMultiRegion(config({ state: { ...base.state, bootstrap: 'existing', key_prefix: 'mesh/blue' } })));
    expect(platform.state).toBeUndefined();
    const keys = app.node.children.map((stack) => [stack.node.id, (JSON.parse(Testing.synth(stack as never)) as { terraform: { backend: { s3: { key: string } } } }).terraform.backend.s3.key]);
    expect(keys.map(([stack]) => stack)).not.toContain(`${base.name}-state`);
    expect(Object.fromEntries(keys)[`${base.name}-global`]).toBe('mesh/blue/global/global.tfstate');
    expect(keys.every(([, key]) => String(key).startsWith('mesh/blue/'))).toBe(true);
  });

  test('a key prefix that is not S3 key segments is refused', () => {
    expect(problems({ state: { ...base.state, key_prefix: '/teams//blue/' } })).toEqual([
      'state.key_prefix: "/teams//blue/" must be S3 key segments of lowercase letters, digits, dots, dashes and underscores separated by single slashes, e.g. teams/payments/staging',
    ]);
  });
});
