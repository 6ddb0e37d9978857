import type { EnvironmentConfig } from '../config/schema.js';
import { ciliumEnabledBy } from '../networking/decision.js';
import { needsEbsCsiDriver } from '../features/ebs-csi-driver/enabled.js';
import { AL2023_AMI_RELEASE } from '../versions.js';
import { controlPlaneAddonNames, nodeAddonNames, type EksAddonName } from './eks-addons.js';

type ComponentConfig = Pick<EnvironmentConfig, 'enable_cilium' | 'enable_fargate' | 'enable_kube_proxy_replacement' | 'cilium'>;

/** The Karpenter AMI alias that pins the project's AL2023 release (its default). */
export const PINNED_AMI_ALIAS = `al2023@${AL2023_AMI_RELEASE}`;

// The EBS CSI driver's condition lives with its feature module.
export { needsEbsCsiDriver };

/** The EKS managed add-ons a config's cluster gets, in the order they are installed. */
export function eksAddonsInUse(config: Pick<ComponentConfig, 'enable_cilium' | 'enable_fargate' | 'enable_kube_proxy_replacement' | 'cilium'>): EksAddonName[] {
  const ciliumEnabled = ciliumEnabledBy(config);
  return [...controlPlaneAddonNames({ ciliumEnabled, kubeProxyReplacement: ciliumEnabled && config.enable_kube_proxy_replacement }), ...nodeAddonNames({ ebsCsiDriver: needsEbsCsiDriver(config) })];
}
