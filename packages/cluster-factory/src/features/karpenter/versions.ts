// Pinned versions of the Karpenter feature; src/versions.ts re-exports them, so every pin is still listed there.
import type { PinnedChart } from '../../versions.js';

/** Karpenter; its Kubernetes range is in compatibility.ts. */
export const KARPENTER_CHART: PinnedChart = { repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.14.1' };

/**
 * Karpenter's CRDs as templates, so `helm upgrade` upgrades them (Helm installs a chart's
 * `crds/` directory once and never upgrades it). Always the controller's version.
 */
export const KARPENTER_CRD_CHART: PinnedChart = { ...KARPENTER_CHART, chart: 'karpenter-crd' };

/**
 * The EKS-optimized Amazon Linux 2023 AMI release Karpenter's EC2NodeClass pins by default
 * (`al2023@v20260903`): a fixed release never rolls nodes by itself; a new one is a reviewed
 * diff, and Karpenter replaces drifted nodes (docs/UPGRADES.md). awslabs/amazon-eks-ami
 * release v20260903 (2026-09-03) has AMIs for Kubernetes 1.31 to 1.36.
 */
export const AL2023_AMI_RELEASE = 'v20260903';
