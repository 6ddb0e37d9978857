/**
 * Every pinned version of the platform lives here, so an upgrade is one reviewed diff.
 *
 * The Terraform provider versions match the npm bindings in the root package.json:
 * `@cdktf/provider-aws` 20.1.0 is generated from hashicorp/aws 5.100.0.
 */
export const TERRAFORM_PROVIDER_VERSIONS = {
  aws: '5.100.0',
} as const;

/**
 * Terraform itself: every stack requires 1.10 or later (S3-native state locking,
 * `use_lockfile`; older versions reject the backend with a less helpful message). CI and the
 * deploy workflow run the tested version.
 */
export const TERRAFORM_VERSION = { required: '>= 1.10', tested: '1.11.4' } as const;

/**
 * The Kubernetes version of a config that names none: in EKS standard support until 2027-03-27
 * (src/lifecycle/eks-calendar.ts). Which versions EKS offers on a day is the calendar's call.
 */
export const DEFAULT_KUBERNETES_VERSION = '1.35';

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

// Cilium's pin lives with its feature module.
export { CILIUM_CHART } from './features/cilium/versions.js';

// The Gateway API CRDs' pin (and the release manifest it names) lives with its feature module.
export { GATEWAY_API_VERSION, gatewayApiCrdsUrl } from './features/gateway-api/versions.js';

// Argo CD's pins live with its feature module.
export { ARGOCD_APPS_CHART, ARGOCD_CHART, ARGOCD_VERSION } from './features/argocd/versions.js';

// Karpenter's pins (its charts and the AL2023 AMI release of its EC2NodeClass) live with its feature module.
export { AL2023_AMI_RELEASE, KARPENTER_CHART, KARPENTER_CRD_CHART } from './features/karpenter/versions.js';

// The AWS Load Balancer Controller's pins live with its feature module.
export { AWS_LOAD_BALANCER_CONTROLLER_CHART, AWS_LOAD_BALANCER_CONTROLLER_VERSION } from './features/load-balancer-controller/versions.js';
