import type { ComponentCompatibility } from '../../lifecycle/compatibility.js';
import { ARGOCD_VERSION } from './versions.js';

const argoCdSource = (at: string) =>
  `tested: argoproj/argo-cd docs/operator-manual/tested-kubernetes-versions.md at ${at}; supported: argoproj/argo-helm charts/argo-cd/Chart.yaml kubeVersion ">=1.25.0-0"`;

/** Argo CD's Kubernetes range per release series (src/lifecycle/compatibility.ts checks it). */
export const ARGOCD_COMPATIBILITY: ComponentCompatibility = {
  component: 'Argo CD',
  pinned: ARGOCD_VERSION,
  releases: [
    { series: '3.3', supported: { min: '1.25' }, tested: { min: '1.32', max: '1.35' }, source: argoCdSource('release-3.3 (2026-08-19)') },
    { series: '3.4', supported: { min: '1.25' }, tested: { min: '1.32', max: '1.35' }, source: argoCdSource('v3.4.2 (2026-05-12)') },
    { series: '3.5', supported: { min: '1.25' }, tested: { min: '1.33', max: '1.36' }, source: argoCdSource('release-3.5 (2026-08-22)') },
  ],
};
