import { spireEnabledBy, type SpireConfig } from '../spire/enabled.js';

/** The EBS CSI driver is installed for SPIRE's server volume (Cilium mutual authentication). */
export function needsEbsCsiDriver(config: SpireConfig): boolean {
  return spireEnabledBy(config);
}
