import { ARGOCD_APPS_CHART, ARGOCD_CHART } from './versions.js';
import { referenceKeyList } from '../../kubernetes/chart-values.js';
import type { ChartOverrideRules, HelmValues, ValueProblem } from '../../kubernetes/helm-value-overrides.js';

/**
 * The chart's own `required` rules on keys a config may set: each configs.clusterCredentials entry
 * needs `server` and `config` (templates/argocd-configs/cluster-secrets.yaml at argo-cd-9.5.14).
 */
function clusterCredentialProblems(values: HelmValues): ValueProblem[] {
  const credentials = (values.configs as { clusterCredentials?: unknown } | undefined)?.clusterCredentials;
  if (!credentials || typeof credentials !== 'object' || Array.isArray(credentials)) return [];
  return Object.entries(credentials as Record<string, unknown>).flatMap(([name, entry]) =>
    ['server', 'config']
      .filter((key) => !entry || typeof entry !== 'object' || !(entry as Record<string, unknown>)[key])
      .map((key) => ({ path: ['configs', 'clusterCredentials', name], message: `needs ${key} (the chart fails: "A valid .Values.configs.clusterCredentials.CLUSTERNAME.${key} entry is required!")` })),
  );
}

/** `helm_values.argocd`: the argo-cd chart; the platform's two values are defaults a config may override. */
export const ARGOCD_VALUE_RULES: ChartOverrideRules = {
  field: 'argocd',
  chart: ARGOCD_CHART,
  keyListFile: `packages/cluster-factory/reference/argo-cd-${ARGOCD_CHART.version}/values-keys.txt`,
  keys: () => referenceKeyList(`argo-cd-${ARGOCD_CHART.version}/values-keys.txt`),
  // configs.params entries become argocd-cmd-params-cm keys as given (values.yaml: "add parameters here").
  freeForm: () => [...referenceKeyList(`argo-cd-${ARGOCD_CHART.version}/free-form-keys.txt`), 'configs.params'],
  owned: [],
  defaults: ['configs.params', 'dex.enabled'],
  extra: clusterCredentialProblems,
};

/** The platform's ApplicationSet (features/argocd/argocd.ts platformApplicationSet). */
const PLATFORM_APPLICATION_SET = 'platform-addons';

/** Keys of an applicationsets entry argocd-apps does not render: it drops them without a word. */
function droppedApplicationSetKeys(values: HelmValues): ValueProblem[] {
  const sets = values.applicationsets;
  if (!sets || typeof sets !== 'object' || Array.isArray(sets)) return [];
  const rendered = referenceKeyList(`argocd-apps-${ARGOCD_APPS_CHART.version}/applicationset-rendered-keys.txt`);
  return Object.entries(sets as Record<string, unknown>).flatMap(([name, entry]) => {
    if (name === PLATFORM_APPLICATION_SET || !entry || typeof entry !== 'object' || Array.isArray(entry)) return [];
    const { template, ...rest } = entry as Record<string, unknown>;
    const keys = Object.keys(rest).map((key) => [key]);
    if (template && typeof template === 'object') {
      for (const [part, content] of Object.entries(template)) {
        if (content && typeof content === 'object' && !Array.isArray(content)) keys.push(...Object.keys(content).map((key) => ['template', part, key]));
        else keys.push(['template', part]);
      }
    }
    return keys
      .filter((key) => !rendered.has(key.join('.')))
      .map((key) => ({ path: ['applicationsets', name, ...key], message: `is not rendered by argocd-apps ${ARGOCD_APPS_CHART.version}, which would drop it without a word (rendered keys: packages/cluster-factory/reference/argocd-apps-${ARGOCD_APPS_CHART.version}/applicationset-rendered-keys.txt)` }));
  });
}

/** `helm_values.argocd_apps`: the argocd-apps chart; the platform's ApplicationSet is its own. */
export const ARGOCD_APPS_VALUE_RULES: ChartOverrideRules = {
  field: 'argocd_apps',
  chart: ARGOCD_APPS_CHART,
  keyListFile: `packages/cluster-factory/reference/argocd-apps-${ARGOCD_APPS_CHART.version}/values-keys.txt`,
  keys: () => referenceKeyList(`argocd-apps-${ARGOCD_APPS_CHART.version}/values-keys.txt`),
  freeForm: () => [...referenceKeyList(`argocd-apps-${ARGOCD_APPS_CHART.version}/free-form-keys.txt`)],
  owned: [{ key: `applicationsets.${PLATFORM_APPLICATION_SET}.*`, owner: 'platform.argocd', why: 'the platform ApplicationSet on gitops_repo' }],
  defaults: [],
  extra: droppedApplicationSetKeys,
};
