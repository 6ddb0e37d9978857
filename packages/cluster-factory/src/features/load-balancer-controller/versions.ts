// Pinned versions of the AWS Load Balancer Controller feature; src/versions.ts re-exports them, so every pin is still listed there.
import type { PinnedChart } from '../../versions.js';

/**
 * The AWS Load Balancer Controller: every Service of type LoadBalancer (Cilium's Gateways, the
 * clustermesh API server) becomes an NLB it manages, never an in-tree Classic ELB. Chart 3.5.0
 * ships controller v3.5.0 (2026-08-03); the IAM policy, values and feature gates it is checked
 * against are in reference/aws-load-balancer-controller-3.5.0/.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_CHART: PinnedChart = { repository: 'https://aws.github.io/eks-charts', chart: 'aws-load-balancer-controller', version: '3.5.0' };
/** The controller release AWS_LOAD_BALANCER_CONTROLLER_CHART installs (its appVersion): what the compatibility table checks. */
export const AWS_LOAD_BALANCER_CONTROLLER_VERSION = 'v3.5.0';
