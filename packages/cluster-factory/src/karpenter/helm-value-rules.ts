import { KARPENTER_CHART, KARPENTER_CRD_CHART } from '../features/karpenter/versions.js';
import { referenceKeyList } from '../kubernetes/chart-values.js';
import type { ChartOverrideRules } from '../kubernetes/helm-value-overrides.js';

/** `helm_values.karpenter`: the controller chart; karpenterControllerValues() sets these. */
export const KARPENTER_VALUE_RULES: ChartOverrideRules = {
  field: 'karpenter',
  chart: KARPENTER_CHART,
  keyListFile: `packages/cluster-factory/reference/karpenter-${KARPENTER_CHART.version}/values-keys.txt`,
  keys: () => referenceKeyList(`karpenter-${KARPENTER_CHART.version}/values-keys.txt`),
  freeForm: () => [...referenceKeyList(`karpenter-${KARPENTER_CHART.version}/free-form-keys.txt`)],
  owned: [
    { key: 'settings.clusterName', owner: 'name', why: 'the EKS cluster Karpenter launches nodes for' },
    { key: 'settings.interruptionQueue', owner: 'karpenter.enabled', why: 'the SQS queue the compute stack creates' },
    { key: 'settings.reservedENIs', owner: 'cilium_mode', why: "the ENIs Cilium's ENI mode keeps from pods" },
    { key: 'serviceAccount.name', owner: 'karpenter.enabled', why: "the controller role's Pod Identity association binds this service account" },
    { key: 'serviceAccount.create', owner: 'karpenter.enabled', why: "the controller role's Pod Identity association binds the chart's service account" },
    { key: 'controller.env', owner: 'region', why: 'the list holds AWS_REGION, and a list replaces rather than merges' },
    { key: 'affinity', owner: 'the platform', why: 'the controller runs on the managed node groups, never on nodes Karpenter manages' },
  ],
  defaults: ['replicas'],
};

/** `helm_values.karpenter_crd`: the CRD chart; the platform sets none of its values. */
export const KARPENTER_CRD_VALUE_RULES: ChartOverrideRules = {
  field: 'karpenter_crd',
  chart: KARPENTER_CRD_CHART,
  keyListFile: `packages/cluster-factory/reference/karpenter-crd-${KARPENTER_CRD_CHART.version}/values-keys.txt`,
  keys: () => referenceKeyList(`karpenter-crd-${KARPENTER_CRD_CHART.version}/values-keys.txt`),
  freeForm: () => [...referenceKeyList(`karpenter-crd-${KARPENTER_CRD_CHART.version}/free-form-keys.txt`)],
  owned: [],
  defaults: [],
};
