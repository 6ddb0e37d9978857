import type { ComponentCompatibility } from '../../lifecycle/compatibility.js';
import { CILIUM_CHART } from './versions.js';

/** Cilium's Kubernetes range per release series (src/lifecycle/compatibility.ts checks it). */
export const CILIUM_COMPATIBILITY: ComponentCompatibility = {
  component: 'Cilium',
  pinned: CILIUM_CHART.version,
  releases: [
    {
      series: '1.19',
      supported: { min: '1.21' },
      tested: { min: '1.32', max: '1.35' },
      source:
        'tested: cilium/cilium Documentation/network/kubernetes/compatibility.rst, v1.19 branch as of 1.19.3 (2026-04-15, read from a copy of the file); supported: cilium/charts cilium-1.19.6.tgz Chart.yaml kubeVersion ">= 1.21.0-0" (2026-07-16). Cilium: newer versions "will depend on the forward / backward compatibility offered by Kubernetes"',
    },
    {
      series: '1.20',
      supported: { min: '1.21' },
      tested: { min: '1.33', max: '1.36' },
      source:
        'supported: cilium/charts cilium-1.20.0.tgz Chart.yaml kubeVersion ">= 1.21.0-0" (2026-07-29); tested: 1.36 joined the CI matrices in cilium/cilium#47846 (2026-08-07), the 1.33-1.36 list is from a secondary source, not yet read from compatibility.rst of v1.20. Needs Gateway API v1.6.1; deprecates authentication.mutual (SPIRE)',
    },
  ],
};
