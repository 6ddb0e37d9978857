/**
 * Every pinned version of the platform lives here, so an upgrade is one reviewed diff.
 *
 * The Terraform provider versions match the npm bindings in the root package.json:
 * `@cdktf/provider-aws` 20.1.0 is generated from hashicorp/aws 5.100.0.
 */
export const TERRAFORM_PROVIDER_VERSIONS = {
  aws: '5.100.0',
} as const;

/** Kubernetes minor versions this project accepts for EKS, oldest first. */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.33', '1.34', '1.35'] as const;
export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.34';

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

/**
 * Cilium 1.19: the reference chart data (values, schema keys) the tests check against is
 * for 1.19.6. 1.20 deprecates `authentication.mutual.spire.*`, which this project uses.
 */
export const CILIUM_CHART: PinnedChart = { repository: 'https://helm.cilium.io', chart: 'cilium', version: '1.19.6' };

/** Gateway API CRDs Cilium 1.19 implements (it does not work with v1.5.x). */
export const GATEWAY_API_VERSION = 'v1.4.1';

/** Argo CD chart 9.5.14 ships Argo CD v3.4.2. */
export const ARGOCD_CHART: PinnedChart = { repository: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', version: '9.5.14' };

/**
 * ApplicationSets and Applications, installed after the Argo CD CRDs exist. 2.0.3 is the first
 * version that renders `goTemplateOptions` (2.0.2 drops it silently); the keys each version
 * renders are in reference/argocd-apps-<version>/.
 */
export const ARGOCD_APPS_CHART: PinnedChart = { repository: 'https://argoproj.github.io/argo-helm', chart: 'argocd-apps', version: '2.0.5' };

/** Karpenter 1.11 supports Kubernetes 1.29-1.35. */
export const KARPENTER_CHART: PinnedChart = { repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.11.1' };

/**
 * Karpenter's CRDs as templates, so `helm upgrade` upgrades them (Helm installs a chart's
 * `crds/` directory once and never upgrades it). Always the controller's version.
 */
export const KARPENTER_CRD_CHART: PinnedChart = { ...KARPENTER_CHART, chart: 'karpenter-crd' };
