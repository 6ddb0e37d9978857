import { AWS_LOAD_BALANCER_CONTROLLER_CHART } from './versions.js';
import { referenceKeyList } from '../../kubernetes/chart-values.js';
import { closestKeys } from '../../lib/private/closest-keys.js';
import type { ChartOverrideRules, HelmValues, ValueProblem } from '../../kubernetes/helm-value-overrides.js';

const chart = AWS_LOAD_BALANCER_CONTROLLER_CHART;

const nearest = (gate: string, known: readonly string[]) => {
  const close = closestKeys(gate, known);
  return close.length > 0 ? `nearest: ${close.join(', ')}; ` : '';
};

/** Feature gates `--feature-gates` accepts: the controller exits at start on an unknown name. */
function featureGateProblems(values: HelmValues): ValueProblem[] {
  const gates = (values.controllerConfig as { featureGates?: unknown } | undefined)?.featureGates;
  if (!gates || typeof gates !== 'object' || Array.isArray(gates)) return [];
  const known = [...referenceKeyList(`aws-load-balancer-controller-${chart.version}/feature-gates.txt`)].map((line) => line.split(' ')[0]!);
  return Object.keys(gates)
    .filter((gate) => !known.includes(gate))
    .map((gate) => ({
      path: ['controllerConfig', 'featureGates', gate],
      message: `is not a feature gate of aws-load-balancer-controller ${chart.version} (${nearest(gate, known)}the controller exits at start on an unknown gate; its gates: packages/cluster-factory/reference/aws-load-balancer-controller-${chart.version}/feature-gates.txt)`,
    }));
}

/** The chart's `required` rule a config can break: an HPA needs autoscaling.maxReplicas (templates/hpa.yaml; default 5). */
function autoscalingProblems(values: HelmValues): ValueProblem[] {
  const autoscaling = values.autoscaling as { enabled?: unknown; maxReplicas?: unknown } | undefined;
  if (!autoscaling || typeof autoscaling !== 'object' || !autoscaling.enabled || !('maxReplicas' in autoscaling) || autoscaling.maxReplicas) return [];
  return [{ path: ['autoscaling', 'maxReplicas'], message: 'must be set with autoscaling.enabled (the chart fails: "A valid .Values.autoscaling.maxReplicas value is required")' }];
}

/**
 * The platform sets podDisruptionBudget.maxUnavailable; the chart copies the map into the
 * PodDisruptionBudget's spec, and the API refuses a spec with both minAvailable and
 * maxUnavailable. minAvailable therefore needs maxUnavailable: null beside it (Helm drops it).
 */
function disruptionBudgetProblems(values: HelmValues): ValueProblem[] {
  const budget = values.podDisruptionBudget as Record<string, unknown> | undefined;
  if (!budget || typeof budget !== 'object' || budget.minAvailable === undefined || budget.minAvailable === null || budget.maxUnavailable === null) return [];
  return [
    {
      path: ['podDisruptionBudget', 'minAvailable'],
      message: 'would sit beside the platform\'s podDisruptionBudget.maxUnavailable: 1, and a PodDisruptionBudget takes only one of them; add maxUnavailable: null to drop it',
    },
  ];
}

/** `helm_values.aws_load_balancer_controller`: loadBalancerControllerValues() sets these. */
export const LOAD_BALANCER_CONTROLLER_VALUE_RULES: ChartOverrideRules = {
  field: 'aws_load_balancer_controller',
  chart,
  keyListFile: `packages/cluster-factory/reference/aws-load-balancer-controller-${chart.version}/values-keys.txt`,
  keys: () => referenceKeyList(`aws-load-balancer-controller-${chart.version}/values-keys.txt`),
  // The chart lists no gate; the names are checked against the controller's own list.
  freeForm: () => [...referenceKeyList(`aws-load-balancer-controller-${chart.version}/free-form-keys.txt`), 'controllerConfig.featureGates'],
  owned: [
    { key: 'clusterName', owner: 'name' },
    { key: 'region', owner: 'region' },
    { key: 'vpcId', owner: 'the network stack', why: "the environment's VPC" },
    { key: 'serviceAccount.name', owner: 'the cluster stack', why: "the controller role's Pod Identity association binds this service account" },
    { key: 'serviceAccount.create', owner: 'the cluster stack', why: "the controller role's Pod Identity association binds the chart's service account" },
    { key: 'defaultLoadBalancerScheme', owner: 'load_balancers.default_scheme' },
    { key: 'defaultTargetType', owner: 'the platform', why: "instance: Cilium's Gateway Services have no pods behind them" },
    { key: 'controllerConfig.featureGates.EnableIPTargetType', owner: 'cilium_mode', why: 'ip targets only where pods have VPC addresses' },
    { key: 'controllerConfig.featureGates.NLBGatewayAPI', owner: 'the platform', why: 'Cilium implements Gateway API' },
    { key: 'controllerConfig.featureGates.ALBGatewayAPI', owner: 'the platform', why: 'Cilium implements Gateway API' },
    { key: 'controllerConfig.featureGates.GatewayListenerSet', owner: 'the platform', why: 'Cilium implements Gateway API' },
    { key: 'hostNetwork', owner: 'cilium_mode', why: 'overlay mode serves the webhooks from the node network' },
    { key: 'dnsPolicy', owner: 'cilium_mode', why: 'ClusterFirstWithHostNet with the host network of overlay mode' },
  ],
  defaults: ['replicaCount', 'podDisruptionBudget'],
  extra: (values) => [...featureGateProblems(values), ...autoscalingProblems(values), ...disruptionBudgetProblems(values)],
};
