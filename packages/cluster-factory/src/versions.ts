/**
 * Every pinned version of the platform lives here, so an upgrade is one reviewed diff.
 *
 * The Terraform provider versions match the npm bindings in the root package.json:
 * `@cdktf/provider-aws` 20.1.0 is generated from hashicorp/aws 5.100.0.
 */
export const TERRAFORM_PROVIDER_VERSIONS = {
  aws: '5.100.0',
} as const;

/** Kubernetes minor versions this project accepts for EKS; the first is the default. */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.34', '1.33', '1.35'] as const;
export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = SUPPORTED_KUBERNETES_VERSIONS[0];
