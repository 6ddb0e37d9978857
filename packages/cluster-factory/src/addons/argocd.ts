import type { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import type { ClusterInfo, PlatformAddon } from './addon.js';
import { helmValues } from '../lib/private/helm.js';
import { ARGOCD_APPS_CHART, ARGOCD_CHART } from '../versions.js';

export interface ArgoCdAddonProps {
  /** The GitOps repository the ApplicationSet reads. */
  readonly repoUrl: string;
  /** @default 'main' */
  readonly revision?: string;
  /** Directory of add-on definitions in the repo. @default 'clusters' */
  readonly path?: string;
}

export const ARGOCD_NAMESPACE = 'argocd';

/**
 * GitOps-bridge metadata of the in-cluster cluster secret: labels select clusters in
 * ApplicationSet generators, annotations carry values (role ARNs) into Helm values.
 */
export function gitopsBridgeMetadata(cluster: ClusterInfo, repo: Required<ArgoCdAddonProps>) {
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
  for (const [purpose, arn] of Object.entries(cluster.roleArns).sort(([a], [b]) => a.localeCompare(b))) {
    annotations[`${purpose}_iam_role_arn`] = arn;
  }
  return { labels, annotations };
}

/** The ApplicationSet: one Application per add-on directory, for clusters of this environment. */
export function platformApplicationSet(cluster: ClusterInfo, repo: Required<ArgoCdAddonProps>) {
  return {
    'platform-addons': {
      namespace: ARGOCD_NAMESPACE,
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
  };
}

/** Argo CD, the GitOps-bridge cluster secret, then the ApplicationSet (after its CRD exists). */
export function argoCdAddon(props: ArgoCdAddonProps): PlatformAddon {
  const repo = { revision: 'main', path: 'clusters', ...props };
  return {
    name: 'argocd',
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const argocd = new Release(scope, 'argocd', {
        name: 'argocd',
        namespace: ARGOCD_NAMESPACE,
        createNamespace: true,
        repository: ARGOCD_CHART.repository,
        chart: ARGOCD_CHART.chart,
        version: ARGOCD_CHART.version,
        ...helmValues({ configs: { params: { 'server.insecure': false } }, dex: { enabled: false } }),
        wait: true,
        timeout: 900,
      });
      const metadata = gitopsBridgeMetadata(cluster, repo);
      const clusterSecret = new SecretV1(scope, 'argocd-in-cluster', {
        metadata: { name: 'in-cluster', namespace: ARGOCD_NAMESPACE, labels: metadata.labels, annotations: metadata.annotations },
        data: { name: 'in-cluster', server: 'https://kubernetes.default.svc', config: JSON.stringify({ tlsClientConfig: { insecure: false } }) },
        dependsOn: [argocd],
      });
      const applicationSets = new Release(scope, 'argocd-applicationsets', {
        name: 'platform-applicationsets',
        namespace: ARGOCD_NAMESPACE,
        repository: ARGOCD_APPS_CHART.repository,
        chart: ARGOCD_APPS_CHART.chart,
        version: ARGOCD_APPS_CHART.version,
        ...helmValues({ applicationsets: platformApplicationSet(cluster, repo) }),
        dependsOn: [argocd, clusterSecret],
      });
      return [argocd, clusterSecret, applicationSets];
    },
  };
}
