import { AL2023_AMI_RELEASE, KARPENTER_CHART } from './versions.js';
import type { ComponentCompatibility } from '../../lifecycle/compatibility.js';
import { PINNED_AMI_ALIAS } from '../../lifecycle/components-in-use.js';
import type { KarpenterSettings } from './config.js';

// Karpenter's compatibility entries; src/lifecycle/compatibility.ts re-exports them (COMPATIBILITY lists every entry).

const KARPENTER_SOURCE =
  'aws/karpenter-provider-aws hack/docs/compatibilitymatrix_gen/compatibility.yaml at v1.14.1 (2026-08-20; a copy in reference/karpenter-1.14.1/); the controller refuses other versions (pkg/providers/version/version.go MinK8sVersion, MaxK8sVersion)';

export const KARPENTER_COMPATIBILITY: ComponentCompatibility = {
  component: 'Karpenter',
  pinned: KARPENTER_CHART.version,
  releases: [
    { series: '1.11', supported: { min: '1.26', max: '1.35' }, source: KARPENTER_SOURCE },
    { series: '1.12', supported: { min: '1.26', max: '1.35' }, source: KARPENTER_SOURCE },
    { series: '1.13', supported: { min: '1.26', max: '1.36' }, source: KARPENTER_SOURCE },
    { series: '1.14', supported: { min: '1.26', max: '1.36' }, source: KARPENTER_SOURCE },
  ],
};

export const AL2023_AMI_COMPATIBILITY: ComponentCompatibility = {
  component: 'EKS AL2023 AMI release',
  pinned: AL2023_AMI_RELEASE,
  releases: [
    {
      series: 'v20260903',
      supported: { min: '1.31', max: '1.36' },
      source: 'awslabs/amazon-eks-ami release v20260903 (2026-09-03), "AMI Details": AMIs for Kubernetes 1.31 to 1.36 (1.36.3-20260903)',
    },
  ],
};

/** What a config with Karpenter installs: the controller, and the AL2023 AMI release when it keeps the pinned alias. */
export function karpenterComponents(karpenter: Pick<KarpenterSettings, 'enabled' | 'ami_alias'>): ComponentCompatibility[] {
  if (!karpenter.enabled) return [];
  // Another alias (a newer release, @latest) is the config's own choice: the table knows only the pinned one.
  return [KARPENTER_COMPATIBILITY, ...(karpenter.ami_alias === PINNED_AMI_ALIAS ? [AL2023_AMI_COMPATIBILITY] : [])];
}
