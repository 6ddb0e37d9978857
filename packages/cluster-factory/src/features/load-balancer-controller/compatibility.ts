import type { ComponentCompatibility } from '../../lifecycle/compatibility.js';
import { AWS_LOAD_BALANCER_CONTROLLER_VERSION } from './versions.js';

const LOAD_BALANCER_CONTROLLER_SOURCE = (tag: string) =>
  `kubernetes-sigs/aws-load-balancer-controller docs/deploy/installation.md at ${tag}, "Supported Kubernetes versions": "v2.5.0+ requires Kubernetes 1.22+" (no upper bound published; the chart's Chart.yaml declares no kubeVersion)`;

/** The controller's Kubernetes range per release series (src/lifecycle/compatibility.ts checks it). */
export const AWS_LOAD_BALANCER_CONTROLLER_COMPATIBILITY: ComponentCompatibility = {
  component: 'AWS Load Balancer Controller',
  pinned: AWS_LOAD_BALANCER_CONTROLLER_VERSION,
  releases: [
    { series: '2.17', supported: { min: '1.22' }, source: LOAD_BALANCER_CONTROLLER_SOURCE('v2.17.1 (2026-01-09)') },
    { series: '3.5', supported: { min: '1.22' }, source: LOAD_BALANCER_CONTROLLER_SOURCE('v3.5.0 (2026-08-03; a copy of the data in reference/aws-load-balancer-controller-3.5.0/)') },
  ],
};
