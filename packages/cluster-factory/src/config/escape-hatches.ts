import { z } from 'zod';
import type { CrossFieldRule } from './rules.js';
import type { EnvironmentConfig } from './schema.js';
import { eksRelease } from '../lifecycle/eks-calendar.js';
import { eksAddonVersion, type EksAddonName } from '../lifecycle/eks-addons.js';
import { eksAddonsInUse, needsEbsCsiDriver } from '../lifecycle/components-in-use.js';
import { addonConfigurationProblems } from '../lifecycle/eks-addon-configuration.js';
import { helmValueProblems, mergeHelmValues, type ChartOverrideRules, type HelmValues } from '../kubernetes/helm-value-overrides.js';
import { withFeatureHelmCharts, type FeatureConfig, type HelmValuesChart } from '../features/built-in.js';

/**
 * The config's escape hatches into what the platform installs: `helm_values` per chart and
 * `eks_addons.<add-on>.configuration_values`, each checked against the pinned upstream data.
 */

/** What the escape-hatch rules read of an environment. */
type HatchConfig = Pick<EnvironmentConfig, 'enable_cilium' | 'enable_fargate' | 'enable_kube_proxy_replacement' | 'kubernetes_version' | 'cilium' | 'karpenter' | 'platform' | 'helm_values' | 'eks_addons'>;

/**
 * Every chart the platform installs from a chart repository, by its key under helm_values, in
 * order: the built-in features' (BuiltInFeature.helmValues), Cilium's first.
 */
export const HELM_VALUE_CHARTS: Readonly<Record<string, HelmValuesChart>> = Object.fromEntries(
  withFeatureHelmCharts([]).map((chart) => [chart.rules.field, chart]),
);

/** A key under helm_values: a chart's (HELM_VALUE_CHARTS; the plan's types do not depend on the config's). */
export type HelmValuesField = string;

/** Values per chart, deep-merged last over what the platform computes. */
export type HelmValueOverrides = Readonly<Partial<Record<HelmValuesField, HelmValues>>>;

const chartValues = (rules: ChartOverrideRules, what: string) =>
  z
    .record(z.string(), z.unknown())
    .optional()
    .describe(`Values of chart ${rules.chart.chart} ${rules.chart.version} (${what}), deep-merged last over the platform's. Keys must be the chart's; keys a config field decides are refused.`);

/** `helm_values`: one mapping per chart. */
export const helmValuesShape = z.strictObject(
  Object.fromEntries(Object.entries(HELM_VALUE_CHARTS).map(([field, chart]) => [field, chartValues(chart.rules, chart.installed)])) as Record<HelmValuesField, ReturnType<typeof chartValues>>,
);

export const helmValuesField = helmValuesShape
  .prefault({})
  .describe(
    "Helm values per chart the platform installs, deep-merged last over the values it computes (maps merge, lists and scalars replace, as Helm merges values files). Checked at synth against the pinned chart: its keys, its values.schema.json where it has one, its rules; keys a config field decides (Cilium's ipam.mode, cluster.*, ...) are refused naming that field.",
  );

/** The EKS add-ons by their key under eks_addons. */
export const EKS_ADDON_FIELDS = {
  coredns: 'coredns',
  kube_proxy: 'kube-proxy',
  vpc_cni: 'vpc-cni',
  eks_pod_identity_agent: 'eks-pod-identity-agent',
  aws_ebs_csi_driver: 'aws-ebs-csi-driver',
} as const satisfies Record<string, EksAddonName>;

export type EksAddonField = keyof typeof EKS_ADDON_FIELDS;

const addonSettings = (name: EksAddonName) =>
  z
    .strictObject({
      configuration_values: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(`configuration_values of the ${name} add-on, checked against its configuration schema for the pinned add-on version (reference/eks/addon-configuration/${name}/); refused when none is pinned.`),
    })
    .optional();

export const eksAddonsField = z
  .strictObject(Object.fromEntries(Object.entries(EKS_ADDON_FIELDS).map(([field, name]) => [field, addonSettings(name)])) as Record<EksAddonField, ReturnType<typeof addonSettings>>)
  .prefault({})
  .describe('Settings of the EKS managed add-ons the cluster gets (coredns, eks-pod-identity-agent, and kube-proxy, vpc-cni or aws-ebs-csi-driver where installed).');

export type EksAddonSettings = Readonly<Partial<Record<EksAddonField, { readonly configuration_values?: Readonly<Record<string, unknown>> }>>>;

/** Why an add-on is not installed on a config's cluster. */
function addonAbsence(name: EksAddonName, env: HatchConfig): string {
  if (name === 'vpc-cni') return 'Cilium is the CNI';
  if (name === 'kube-proxy') return "Cilium's kube-proxy replacement is on (enable_kube_proxy_replacement)";
  if (name === 'aws-ebs-csi-driver' && !needsEbsCsiDriver(env)) return 'it is installed only for SPIRE (cilium.mutual_auth)';
  return 'the cluster does not use it';
}

/** Refusals of one helm_values mapping (shared, or a region's) at `at`. */
export function helmValuesRefusals(env: HatchConfig, values: HelmValueOverrides, at: Array<string | number>, refuse: (path: Array<string | number>, message: string) => void): void {
  for (const [field, chart] of Object.entries(HELM_VALUE_CHARTS)) {
    const chartValues = values[field];
    if (!chartValues) continue;
    // An environment file's rules pass the whole config: every field a feature reads.
    const absent = chart.notInstalled(env as unknown as FeatureConfig);
    if (absent) {
      refuse([...at, field], `is set but ${absent}`);
      continue;
    }
    for (const problem of helmValueProblems(chart.rules, chartValues)) refuse([...at, field, ...problem.path], problem.message);
  }
}

export const ESCAPE_HATCH_RULES: readonly CrossFieldRule<HatchConfig>[] = [
  {
    checks: 'helm_values are values of the pinned charts that no config field decides',
    check: (env, refuse) => helmValuesRefusals(env, env.helm_values, ['helm_values'], refuse),
  },
  {
    checks: 'eks_addons configuration_values are for add-ons in use and match their pinned configuration schema',
    check: (env, refuse) => {
      const given = (Object.entries(EKS_ADDON_FIELDS) as Array<[EksAddonField, EksAddonName]>).filter(([field]) => env.eks_addons[field]?.configuration_values);
      // Read the fields that decide the add-ons only when there are values to judge.
      if (given.length === 0) return;
      const inUse = eksAddonsInUse(env);
      for (const [field, name] of given) {
        const values = env.eks_addons[field]!.configuration_values!;
        if (!inUse.includes(name)) {
          refuse(['eks_addons', field], `is set but ${name} is not installed: ${addonAbsence(name, env)}`);
          continue;
        }
        // An unknown Kubernetes version or a missing pin is reported by its own rule.
        const version = eksRelease(env.kubernetes_version) ? eksAddonVersion(name, env.kubernetes_version) : undefined;
        if (!version) continue;
        for (const problem of addonConfigurationProblems(name, version, values, env.kubernetes_version)) refuse(['eks_addons', field, 'configuration_values', ...problem.path], problem.message);
      }
    },
  },
];

/** A region's helm_values over the shared ones, chart by chart (multi-region). */
export function mergeHelmValueOverrides(shared: HelmValueOverrides, region: HelmValueOverrides | undefined): HelmValueOverrides {
  if (!region) return shared;
  const merged: Partial<Record<HelmValuesField, HelmValues>> = { ...shared };
  for (const [field, values] of Object.entries(region) as Array<[HelmValuesField, HelmValues | undefined]>) {
    if (values) merged[field] = mergeHelmValues(shared[field] ?? {}, values);
  }
  return merged;
}

/** The configuration values per add-on name, as the plan pins them. */
export function addonConfigurations(settings: EksAddonSettings): Partial<Record<EksAddonName, Readonly<Record<string, unknown>>>> {
  const out: Partial<Record<EksAddonName, Readonly<Record<string, unknown>>>> = {};
  for (const [field, name] of Object.entries(EKS_ADDON_FIELDS) as Array<[EksAddonField, EksAddonName]>) {
    const values = settings[field]?.configuration_values;
    if (values) out[name] = values;
  }
  return out;
}
