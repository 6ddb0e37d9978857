import type { CiliumMode } from '../../networking/decision.js';
import { CILIUM_ENI_FIRST_INTERFACE_INDEX } from './eni.js';
import { PRIVATE_SUBNET_TAG } from '../../lib/subnet-plan.js';
import { NLB_LOAD_BALANCER_CLASS, nlbServiceAnnotations } from '../load-balancer-controller/service-annotations.js';

/**
 * The subset of the Cilium 1.19 chart values this project sets. Every key path here is
 * checked against the chart's own key list (chart-keys/cilium-1.19.6.txt) in the tests.
 */
export interface CiliumValues {
  cluster: { name: string; id?: number };
  /** The underlying network's MTU; absent: detected from the node's device. */
  MTU?: number;
  kubeProxyReplacement: boolean;
  k8sServiceHost?: string;
  k8sServicePort?: number;
  routingMode: 'native' | 'tunnel';
  tunnelProtocol?: 'geneve';
  ipv4NativeRoutingCIDR?: string;
  enableIPv4Masquerade: boolean;
  ipam: {
    mode: 'eni' | 'cluster-pool';
    operator?: { clusterPoolIPv4PodCIDRList: string[]; clusterPoolIPv4MaskSize: number };
  };
  eni?: {
    enabled: true;
    awsEnablePrefixDelegation: boolean;
    awsReleaseExcessIPs: boolean;
    nodeSpec: { firstInterfaceIndex: number; subnetTags: string[] };
  };
  hubble: { enabled: boolean; relay: { enabled: boolean }; ui: { enabled: boolean } };
  l7Proxy: boolean;
  envoy: { enabled: boolean };
  gatewayAPI: { enabled: boolean };
  bgpControlPlane: { enabled: boolean };
  encryption: { enabled: boolean; type?: 'wireguard' };
  authentication: {
    enabled: boolean;
    mutual: {
      spire: {
        enabled: boolean;
        install?: { enabled: boolean; server: { dataStorage: { enabled: boolean; storageClass: string } } };
      };
    };
  };
  operator: { replicas: number; rollOutPods: boolean };
  rollOutCiliumPods: boolean;
  clustermesh?: {
    useAPIServer: boolean;
    apiserver: {
      replicas: number;
      service: { type: 'LoadBalancer'; loadBalancerClass: string; annotations: Record<string, string>; loadBalancerSourceRanges: string[] };
      tls: { server: { extraDnsNames: string[] } };
    };
    config: { enabled: boolean; clusters: Array<{ name: string; address: string; port: number }> };
  };
}

/** This cluster's place in a Cilium Cluster Mesh. */
export interface ClusterMeshMembership {
  /** 1-127 (ENI mode limit), unique in the mesh. */
  readonly clusterId: number;
  /**
   * The DNS name peers dial for this cluster's clustermesh API server. The chart's server
   * certificate covers only `*.mesh.cilium.io` unless the name is added to it.
   */
  readonly address: string;
  /** Every other cluster: its Cilium name and the DNS name of its clustermesh API server. */
  readonly peers: ReadonlyArray<{ readonly name: string; readonly address: string }>;
  /** clustermesh-apiserver replicas: more than one where the environment is protected. */
  readonly apiServerReplicas: number;
  /** Who may reach the clustermesh API server's load balancer: the VPC CIDRs of every member. */
  readonly apiServerClientCidrs: readonly string[];
  /**
   * The MTU of the path to the other members (Transit Gateway: 8500), set as Cilium's `MTU`:
   * Cilium then sizes pod routes so that encapsulated packets fit it (cluster-mesh/path-mtu.ts).
   */
  readonly pathMtu: number;
}

/** The clustermesh-apiserver port (etcd). */
export const CLUSTERMESH_APISERVER_PORT = 2379;

/**
 * The clustermesh API server's Service: an internal NLB of the AWS Load Balancer Controller,
 * reachable from the mesh's VPCs only. The class is set in the chart, not left to the
 * controller's webhook: Cilium creates the Service before any node (and so before the
 * controller) runs, and with the class the in-tree controller leaves it alone until the AWS
 * Load Balancer Controller takes it. Target type per mode: in ENI mode its pods have VPC
 * addresses (ip targets, no node hop); in overlay mode they do not (instance targets, NodePort).
 * Cross-zone: a zone without a clustermesh-apiserver replica still forwards.
 */
export function clusterMeshApiServerService(mode: CiliumMode, clientCidrs: readonly string[]): NonNullable<CiliumValues['clustermesh']>['apiserver']['service'] {
  return {
    type: 'LoadBalancer',
    loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
    annotations: nlbServiceAnnotations({ scheme: 'internal', targetType: mode === 'eni' ? 'ip' : 'instance', crossZone: true }),
    loadBalancerSourceRanges: [...clientCidrs],
  };
}

export interface CiliumValuesInput {
  readonly clusterName: string;
  readonly mode: CiliumMode;
  /** API server host name without scheme: endpoint IPs change, the name does not. */
  readonly apiServerHost: string;
  readonly kubeProxyReplacement: boolean;
  readonly vpcCidr: string;
  /** overlay only. */
  readonly podCidr: string;
  readonly prefixDelegation: boolean;
  readonly hubble: boolean;
  readonly hubbleRelay: boolean;
  readonly hubbleUi: boolean;
  readonly l7Proxy: boolean;
  readonly gatewayApi: boolean;
  readonly bgpControlPlane: boolean;
  readonly wireguard: boolean;
  readonly mutualAuth: boolean;
  /** StorageClass for the SPIRE server's volume. */
  readonly spireStorageClass: string;
  /** Cluster Mesh membership, declared in values rather than `cilium clustermesh connect`. */
  readonly clusterMesh?: ClusterMeshMembership;
}

/** Overlay mode: each node gets a /24 of the pod CIDR (254 pods). */
export const CLUSTER_POOL_MASK_SIZE = 24;

/**
 * Cilium values for one cluster. ENI mode: pods take VPC addresses from ENIs the operator
 * attaches, routed natively. Overlay mode: pods take addresses from a private pool and
 * cross nodes in Geneve tunnels.
 *
 * Masquerading. ENI mode: off, which is the 1.19 chart's own default for `ipam.mode: eni`
 * (values.yaml: "`true` unless ipam eni mode is active"). Pod addresses are VPC addresses,
 * nodes sit in private subnets, and the NAT gateway translates internet-bound traffic; keeping
 * pod source addresses intact is what lets Cluster Mesh peers, security groups and VPC flow
 * logs see the real pod. It also makes the native-routing CIDR irrelevant to masquerading, so
 * a mesh of disjoint VPC ranges needs no covering CIDR (which, for disjoint ranges, would
 * have grown to 0.0.0.0/0). Overlay mode: on (pod addresses are not routable in the VPC).
 */
export function ciliumValues(input: CiliumValuesInput): CiliumValues {
  const eni = input.mode === 'eni';
  const values: CiliumValues = {
    cluster: { name: input.clusterName },
    kubeProxyReplacement: input.kubeProxyReplacement,
    // Needed with or without kube-proxy: there is no kube-proxy before Cilium runs.
    k8sServiceHost: input.apiServerHost,
    k8sServicePort: 443,
    routingMode: eni ? 'native' : 'tunnel',
    enableIPv4Masquerade: !eni,
    ipam: eni
      ? { mode: 'eni' }
      : { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [input.podCidr], clusterPoolIPv4MaskSize: CLUSTER_POOL_MASK_SIZE } },
    hubble: { enabled: input.hubble, relay: { enabled: input.hubble && input.hubbleRelay }, ui: { enabled: input.hubble && input.hubbleUi } },
    l7Proxy: input.l7Proxy,
    envoy: { enabled: input.l7Proxy },
    gatewayAPI: { enabled: input.gatewayApi },
    bgpControlPlane: { enabled: input.bgpControlPlane },
    encryption: input.wireguard ? { enabled: true, type: 'wireguard' } : { enabled: false },
    authentication: {
      // The chart refuses SPIRE without it: authentication processing is off by default.
      enabled: input.mutualAuth,
      mutual: {
        spire: input.mutualAuth
          ? { enabled: true, install: { enabled: true, server: { dataStorage: { enabled: true, storageClass: input.spireStorageClass } } } }
          : { enabled: false },
      },
    },
    operator: { replicas: 2, rollOutPods: true },
    rollOutCiliumPods: true,
  };
  if (eni) {
    // Explicit, though ENI mode derives it from the VPC: the range routed without encapsulation.
    values.ipv4NativeRoutingCIDR = input.vpcCidr;
    values.eni = {
      enabled: true,
      awsEnablePrefixDelegation: input.prefixDelegation,
      awsReleaseExcessIPs: true,
      // Pod ENIs in the private subnets only: without a constraint the operator falls back to
      // the zone's subnet with the most free addresses (pkg/aws/eni/node.go findSuitableSubnet),
      // which can be a public one, where pods have no NAT and no Transit Gateway route.
      nodeSpec: { firstInterfaceIndex: CILIUM_ENI_FIRST_INTERFACE_INDEX, subnetTags: [`${PRIVATE_SUBNET_TAG.key}=${PRIVATE_SUBNET_TAG.value}`] },
    };
  } else {
    values.tunnelProtocol = 'geneve';
  }
  const mesh = input.clusterMesh;
  if (mesh) {
    values.cluster.id = mesh.clusterId;
    // Traffic to the peers crosses a path narrower than the node's device (9001).
    values.MTU = mesh.pathMtu;
    values.clustermesh = {
      useAPIServer: true,
      apiserver: {
        replicas: mesh.apiServerReplicas,
        service: clusterMeshApiServerService(input.mode, mesh.apiServerClientCidrs),
        tls: { server: { extraDnsNames: [mesh.address] } },
      },
      config: {
        enabled: true,
        clusters: mesh.peers.map((peer) => ({ name: peer.name, address: peer.address, port: CLUSTERMESH_APISERVER_PORT })),
      },
    };
  }
  return values;
}

/** Every leaf key path of a values object, `[]` for array items (the chart key list's form). */
export function valueKeyPaths(values: object, prefix = ''): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) return value.some((item) => item && typeof item === 'object') ? value.flatMap((item) => valueKeyPaths(item, `${path}[]`)) : [path];
    if (value && typeof value === 'object') return valueKeyPaths(value, path);
    return [path];
  });
}
