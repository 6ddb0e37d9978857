import type { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import type { ClusterInfo, PlatformAddon } from '../../addons/addon.js';
import { helmValues } from '../../lib/private/helm.js';
import { ARGOCD_APPS_CHART, ARGOCD_CHART } from './versions.js';
import { validateKubernetesObjects } from '../../kubernetes/validate.js';
import { referenceKeyList, undeclaredValueKeys } from '../../kubernetes/chart-values.js';
import { assertHelmValues, mergeHelmValues, type HelmValues } from '../../kubernetes/helm-value-overrides.js';
import { ARGOCD_APPS_VALUE_RULES, ARGOCD_VALUE_RULES } from './helm-value-rules.js';

export interface ArgoCdAddonProps {
  /** The GitOps repository the ApplicationSet reads. */
  readonly repoUrl: string;
  /** @default 'main' */
  readonly revision?: string;
  /** Directory of add-on definitions in the repo. @default 'clusters' */
  readonly path?: string;
  /**
   * Chart values deep-merged last over the computed ones (the config's helm_values.argocd and
   * helm_values.argocd_apps), checked against each pinned chart. @default none
   */
  readonly helmValues?: { readonly argocd?: HelmValues; readonly argocdApps?: HelmValues };
}

/** The GitOps repository settings with their defaults applied. */
export type ArgoCdRepository = Required<Omit<ArgoCdAddonProps, 'helmValues'>>;

export const ARGOCD_NAMESPACE = 'argocd';

/** Argo CD chart values: TLS on the server (no --insecure), no Dex (SSO is configured per organisation). */
export const ARGOCD_VALUES = { configs: { params: { 'server.insecure': false } }, dex: { enabled: false } } as const;

/** `configs.params` entries become argocd-cmd-params-cm keys as given (chart values.yaml: "add parameters here"). */
const ARGOCD_FREE_FORM_VALUES = ['configs.params'];

/**
 * GitOps-bridge metadata of the in-cluster cluster secret: labels select clusters in
 * ApplicationSet generators, annotations carry values (role ARNs) into Helm values.
 */
export function gitopsBridgeMetadata(cluster: ClusterInfo, repo: ArgoCdRepository) {
  const labels: Record<string, string> = {
    'argocd.argoproj.io/secret-type': 'cluster',
    environment: cluster.environment,
    cluster_name: cluster.clusterName,
    aws_region: cluster.region,
    cni: cluster.networking.cni,
    enable_cilium: String(cluster.networking.ciliumEnabled),
    enable_hubble: String(cluster.networking.hubble),
  };
  const annotations: Record<string, string> = {
    cluster_name: cluster.clusterName,
    environment: cluster.environment,
    aws_region: cluster.region,
    aws_account_id: cluster.accountId,
    addons_repo_url: repo.repoUrl,
    addons_repo_revision: repo.revision,
    addons_repo_basepath: repo.path,
  };
  const { ciliumOperator, karpenter } = cluster.identities;
  if (ciliumOperator) annotations.cilium_operator_iam_role_arn = ciliumOperator;
  if (karpenter) annotations.karpenter_iam_role_arn = karpenter;
  return { labels, annotations };
}

/**
 * The ApplicationSet, typed by the upstream model: one Application per add-on directory, for
 * clusters of this environment. `{{...}}` are Argo CD's own Go templates, filled per cluster.
 */
export function platformApplicationSet(cluster: ClusterInfo, repo: ArgoCdRepository): ApplicationSet {
  return new ApplicationSet({
    metadata: { name: 'platform-addons', namespace: ARGOCD_NAMESPACE },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        {
          matrix: {
            generators: [
              { clusters: { selector: { matchLabels: { environment: cluster.environment } } } },
              { git: { repoURL: repo.repoUrl, revision: repo.revision, directories: [{ path: `${repo.path}/*` }] } },
            ],
          },
        },
      ],
      template: {
        metadata: { name: '{{.name}}-{{.path.basename}}' },
        spec: {
          project: 'default',
          source: { repoURL: repo.repoUrl, targetRevision: repo.revision, path: '{{.path.path}}' },
          destination: { server: '{{.server}}', namespace: '{{.path.basename}}' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
        },
      },
    },
  });
}

/**
 * The argocd-apps chart entry for an ApplicationSet. The chart copies only the keys its
 * template names and drops the rest silently, so every key is checked against the pinned
 * version's list (reference/argocd-apps-<version>/applicationset-rendered-keys.txt).
 */
export function argocdAppsEntry(applicationSet: ApplicationSet, chartVersion: string = ARGOCD_APPS_CHART.version): Record<string, unknown> {
  const { template, ...spec } = applicationSet.spec;
  const entry: Record<string, unknown> = { namespace: applicationSet.metadata.namespace, ...spec, template };
  const rendered = referenceKeyList(`argocd-apps-${chartVersion}/applicationset-rendered-keys.txt`);
  const keys = [
    ...Object.keys(entry).filter((key) => key !== 'template'),
    ...Object.keys(template.metadata).map((key) => `template.metadata.${key}`),
    ...Object.keys(template.spec).map((key) => `template.spec.${key}`),
  ];
  const dropped = keys.filter((key) => !rendered.has(key));
  if (dropped.length > 0) {
    throw new Error(`ApplicationSet ${applicationSet.metadata.name}: argocd-apps ${chartVersion} would drop ${dropped.join(', ')} (it does not render them)`);
  }
  return entry;
}

/** The GitOps repository the ApplicationSet reads, with its defaults filled in. */
export function gitopsRepository(props: ArgoCdAddonProps): ArgoCdRepository {
  const { helmValues: _overrides, ...repository } = props;
  return { revision: 'main', path: 'clusters', ...repository };
}

/** Argo CD, the GitOps-bridge cluster secret, then the ApplicationSet (after its CRD exists). */
export function argoCdAddon(props: ArgoCdAddonProps): PlatformAddon {
  const overrides = props.helmValues;
  const repo = gitopsRepository(props);
  return {
    name: 'argocd',
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const undeclared = undeclaredValueKeys(ARGOCD_VALUES, referenceKeyList(`argo-cd-${ARGOCD_CHART.version}/values-keys.txt`), ARGOCD_FREE_FORM_VALUES);
      if (undeclared.length > 0) throw new Error(`argo-cd ${ARGOCD_CHART.version} values do not declare: ${undeclared.join(', ')}`);
      assertHelmValues(ARGOCD_VALUE_RULES, overrides?.argocd, ARGOCD_VALUES);
      const argocd = new Release(scope, 'argocd', {
        name: 'argocd',
        namespace: ARGOCD_NAMESPACE,
        createNamespace: true,
        repository: ARGOCD_CHART.repository,
        chart: ARGOCD_CHART.chart,
        version: ARGOCD_CHART.version,
        ...helmValues(mergeHelmValues(ARGOCD_VALUES, overrides?.argocd)),
        wait: true,
        timeout: 900,
      });
      const metadata = gitopsBridgeMetadata(cluster, repo);
      const clusterSecret = new SecretV1(scope, 'argocd-in-cluster', {
        metadata: { name: 'in-cluster', namespace: ARGOCD_NAMESPACE, labels: metadata.labels, annotations: metadata.annotations },
        data: { name: 'in-cluster', server: 'https://kubernetes.default.svc', config: JSON.stringify({ tlsClientConfig: { insecure: false } }) },
        dependsOn: [argocd],
      });
      const applicationSet = platformApplicationSet(cluster, repo);
      validateKubernetesObjects([applicationSet], 'argocd add-on');
      const appsValues = { applicationsets: { [applicationSet.metadata.name!]: argocdAppsEntry(applicationSet) } };
      assertHelmValues(ARGOCD_APPS_VALUE_RULES, overrides?.argocdApps, appsValues);
      const applicationSets = new Release(scope, 'argocd-applicationsets', {
        name: 'platform-applicationsets',
        namespace: ARGOCD_NAMESPACE,
        repository: ARGOCD_APPS_CHART.repository,
        chart: ARGOCD_APPS_CHART.chart,
        version: ARGOCD_APPS_CHART.version,
        ...helmValues(mergeHelmValues(appsValues, overrides?.argocdApps)),
        dependsOn: [argocd, clusterSecret],
      });
      return [argocd, clusterSecret, applicationSets];
    },
  };
}
