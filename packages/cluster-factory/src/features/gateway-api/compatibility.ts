import type { ComponentCompatibility } from '../../lifecycle/compatibility.js';
import { GATEWAY_API_VERSION } from './versions.js';

/** The Gateway API CRDs' Kubernetes range per release series (src/lifecycle/compatibility.ts checks it). */
export const GATEWAY_API_COMPATIBILITY: ComponentCompatibility = {
  component: 'Gateway API CRDs',
  pinned: GATEWAY_API_VERSION,
  releases: [
    {
      series: '1.4',
      supported: { min: '1.30' },
      source:
        'kubernetes-sigs/gateway-api site-src/concepts/versioning.md at v1.4.1 (2025-12-03): "Support a minimum of the most recent 5 Kubernetes minor versions" (1.30 to 1.34 when v1.4 was released; a floor, no upper bound). Cilium 1.19 implements v1.4 and breaks with v1.5 CRDs (cilium/cilium#44920)',
    },
  ],
};
