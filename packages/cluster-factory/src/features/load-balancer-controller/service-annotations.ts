/** The class the AWS Load Balancer Controller owns (its service mutator webhook sets it on new LoadBalancer Services). */
export const NLB_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';

export type LoadBalancerScheme = 'internal' | 'internet-facing';

/** NLB target types: `ip` registers pod addresses, `instance` every node's NodePort. */
export type NlbTargetType = 'ip' | 'instance';

export interface NlbServiceOptions {
  readonly scheme: LoadBalancerScheme;
  readonly targetType: NlbTargetType;
  /** Every zone's load balancer node reaches targets in every zone. @default false */
  readonly crossZone?: boolean;
}

/**
 * The AWS Load Balancer Controller annotations of one Service (docs/guide/service/annotations.md
 * at the pinned tag): scheme and target type stated rather than left to the controller's
 * defaults; the legacy in-tree annotations (`aws-load-balancer-type: nlb`,
 * `aws-load-balancer-internal`) are not used.
 */
export function nlbServiceAnnotations(options: NlbServiceOptions): Record<string, string> {
  return {
    'service.beta.kubernetes.io/aws-load-balancer-scheme': options.scheme,
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': options.targetType,
    ...(options.crossZone ? { 'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true' } : {}),
  };
}
