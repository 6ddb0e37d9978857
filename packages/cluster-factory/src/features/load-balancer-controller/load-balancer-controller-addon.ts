import type { Construct } from 'constructs';
import { Token } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ClusterInfo, PlatformAddon, ServedWebhooks } from '../../addons/addon.js';
import type { NetworkingDecision } from '../../networking/decision.js';
import { helmValues } from '../../lib/private/helm.js';
import { manifestUrlApply } from '../../lib/private/kubernetes-providers.js';
import { referenceKeyList, undeclaredValueKeys } from '../../kubernetes/chart-values.js';
import { AWS_LOAD_BALANCER_CONTROLLER_CHART, AWS_LOAD_BALANCER_CONTROLLER_VERSION } from './versions.js';
import { LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT } from './load-balancer-controller-policy.js';
import type { LoadBalancerScheme } from './service-annotations.js';
import { assertHelmValues, mergeHelmValues, type HelmValues } from '../../kubernetes/helm-value-overrides.js';
import { LOAD_BALANCER_CONTROLLER_VALUE_RULES } from './helm-value-rules.js';

/** The add-on's name: add-ons that create Services of type LoadBalancer list it in `dependsOn`. */
export const LOAD_BALANCER_CONTROLLER_ADDON = 'aws-load-balancer-controller';

/** The admission webhooks chart 3.5.0 registers (templates/webhook.yaml), for messages. */
export const LOAD_BALANCER_CONTROLLER_WEBHOOKS = [
  'mpod.elbv2.k8s.aws',
  'quicid.elbv2.k8s.aws',
  'mservice.elbv2.k8s.aws',
  'alb-target-control.namespace.elbv2.k8s.aws',
  'alb-target-control.object.elbv2.k8s.aws',
  'mtargetgroupbinding.elbv2.k8s.aws',
  'vingressclassparams.elbv2.k8s.aws',
  'vtargetgroupbinding.elbv2.k8s.aws',
  'vingress.elbv2.k8s.aws',
  'vglobalaccelerator.aga.k8s.aws',
] as const;

export interface LoadBalancerControllerAddonProps {
  /** The literal cluster name (`--cluster-name`: the tags of the load balancers it owns). */
  readonly clusterName: string;
  /** `--aws-region`: nodes allow one IMDS hop, so the controller cannot look it up. */
  readonly region: string;
  /** `--aws-vpc-id` (a token from the network stack is fine: it becomes a Helm `set`). */
  readonly vpcId: string;
  /**
   * The scheme of load balancers whose Service (or Gateway) names none: Cilium's Gateways and
   * users' Services. The clustermesh API server states its own (internal). @default 'internal'
   */
  readonly defaultScheme?: LoadBalancerScheme;
  /**
   * Chart values deep-merged last over the computed ones (the config's
   * helm_values.aws_load_balancer_controller), checked against the pinned chart. @default none
   */
  readonly helmValues?: HelmValues;
}

/** The controller chart values this project sets (every key exists in the chart: test/load-balancer-controller-upstream.test.ts). */
export interface LoadBalancerControllerValues {
  clusterName: string;
  region: string;
  vpcId: string;
  replicaCount: number;
  podDisruptionBudget: { maxUnavailable: number };
  serviceAccount: { name: string };
  defaultTargetType: 'instance' | 'ip';
  defaultLoadBalancerScheme: LoadBalancerScheme;
  controllerConfig: { featureGates: Record<string, boolean> };
  hostNetwork: boolean;
  dnsPolicy?: 'ClusterFirstWithHostNet';
}

/**
 * Whether load balancers may target pod IPs directly: only when pods have VPC addresses (ENI
 * mode, or the VPC CNI). In overlay mode a pod address means nothing to an NLB, so the
 * controller is told to refuse `ip` targets (gate EnableIPTargetType) rather than build a
 * load balancer whose targets never get healthy.
 */
export function podsHaveVpcAddresses(networking: NetworkingDecision): boolean {
  return networking.cni === 'aws-vpc-cni' || networking.ciliumMode === 'eni';
}

/**
 * In Cilium overlay mode the EKS control plane cannot reach pod addresses (the cluster-pool
 * range is not routed in the VPC), so the controller serves its webhooks from the node network.
 */
export function needsHostNetworkForWebhooks(networking: NetworkingDecision): boolean {
  return networking.cni === 'cilium' && networking.ciliumMode === 'overlay';
}

/**
 * The chart values:
 * - default target type `instance`: Cilium's Gateway Services have no pods behind them (their
 *   Endpoints are a placeholder, 192.192.192.192:9999, and Cilium's eBPF hands NodePort traffic
 *   to Envoy), so only node targets work for them in either mode; Services with real pods opt
 *   into `ip` targets where pods have VPC addresses;
 * - the controller's own Gateway API controllers off: Cilium implements Gateway API here, and
 *   the controller would otherwise start them as soon as the Gateway CRDs exist;
 * - host network in overlay mode, so the control plane can call its webhooks.
 */
export function loadBalancerControllerValues(props: LoadBalancerControllerAddonProps, networking: NetworkingDecision): LoadBalancerControllerValues {
  const hostNetwork = needsHostNetworkForWebhooks(networking);
  return {
    clusterName: props.clusterName,
    region: props.region,
    vpcId: props.vpcId,
    // One leader works, the other serves webhooks too: Service creation fails while none runs (failurePolicy Fail).
    replicaCount: 2,
    podDisruptionBudget: { maxUnavailable: 1 },
    serviceAccount: { name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.name },
    defaultTargetType: 'instance',
    defaultLoadBalancerScheme: props.defaultScheme ?? 'internal',
    controllerConfig: {
      featureGates: { NLBGatewayAPI: false, ALBGatewayAPI: false, GatewayListenerSet: false, EnableIPTargetType: podsHaveVpcAddresses(networking) },
    },
    hostNetwork,
    // A host-network pod resolves cluster names only with this policy (values.yaml, dnsPolicy).
    ...(hostNetwork ? { dnsPolicy: 'ClusterFirstWithHostNet' as const } : {}),
  };
}

/** Feature gates `--feature-gates` accepts (the controller exits on an unknown name). */
export function unknownFeatureGates(values: LoadBalancerControllerValues, version: string = AWS_LOAD_BALANCER_CONTROLLER_CHART.version): string[] {
  const known = new Set([...referenceKeyList(`aws-load-balancer-controller-${version}/feature-gates.txt`)].map((line) => line.split(' ')[0]));
  return Object.keys(values.controllerConfig.featureGates).filter((gate) => !known.has(gate));
}

/** The controller's CRDs (TargetGroupBinding, IngressClassParams, ...) at the pinned tag: Helm never upgrades a chart's crds/. */
export function loadBalancerControllerCrdsUrl(version: string = AWS_LOAD_BALANCER_CONTROLLER_VERSION): string {
  return `https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/${version}/helm/aws-load-balancer-controller/crds/crds.yaml`;
}

/**
 * The AWS Load Balancer Controller (its AWS side: a PodIdentityRole with
 * loadBalancerControllerPolicy in the cluster stack): its CRDs, applied at the pinned tag so
 * upgrades upgrade them, then the chart. Add-ons that create Services of type LoadBalancer depend on it: its service mutator
 * webhook must exist before them, or the in-tree controller makes a Classic ELB.
 */
export function loadBalancerControllerAddon(props: LoadBalancerControllerAddonProps): PlatformAddon {
  if (Token.isUnresolved(props.clusterName)) throw new Error('aws-load-balancer-controller add-on: clusterName must be the literal cluster name, not a token');
  return {
    name: LOAD_BALANCER_CONTROLLER_ADDON,
    servedWebhooks(cluster: ClusterInfo): ServedWebhooks {
      return { names: LOAD_BALANCER_CONTROLLER_WEBHOOKS, hostNetwork: loadBalancerControllerValues(props, cluster.networking).hostNetwork };
    },
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const values = loadBalancerControllerValues(props, cluster.networking);
      const chart = AWS_LOAD_BALANCER_CONTROLLER_CHART;
      const undeclared = undeclaredValueKeys(values, referenceKeyList(`aws-load-balancer-controller-${chart.version}/values-keys.txt`), ['controllerConfig.featureGates', 'podDisruptionBudget']);
      if (undeclared.length > 0) throw new Error(`aws-load-balancer-controller ${chart.version} values do not declare: ${undeclared.join(', ')}`);
      const unknownGates = unknownFeatureGates(values);
      if (unknownGates.length > 0) throw new Error(`aws-load-balancer-controller ${chart.version} has no feature gate ${unknownGates.join(', ')} (it would exit at start)`);
      assertHelmValues(LOAD_BALANCER_CONTROLLER_VALUE_RULES, props.helmValues, values);
      const crds = manifestUrlApply(scope, 'aws-load-balancer-controller-crds', { cluster, url: loadBalancerControllerCrdsUrl(), version: AWS_LOAD_BALANCER_CONTROLLER_VERSION });
      const controller = new Release(scope, 'aws-load-balancer-controller', {
        name: 'aws-load-balancer-controller',
        namespace: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT.namespace,
        repository: chart.repository,
        chart: chart.chart,
        version: chart.version,
        skipCrds: true,
        ...helmValues(mergeHelmValues(values, props.helmValues)),
        wait: true,
        dependsOn: [crds],
      });
      return [crds, controller];
    },
  };
}
