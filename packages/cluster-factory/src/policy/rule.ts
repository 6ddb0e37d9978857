/** A resource as a rule sees it: its Terraform type, construct path and synthesized arguments. */
export interface PolicyResource {
  readonly type: string;
  /** Terraform address, e.g. `aws_s3_bucket.bucket`. */
  readonly address: string;
  /** Construct path, e.g. `prod-state/bucket`. */
  readonly path: string;
  /** Arguments with references resolved (`${aws_s3_bucket.bucket.id}`). */
  readonly config: Record<string, unknown>;
  /** Arguments as given, tokens unresolved (to find policy documents). */
  readonly raw: Record<string, unknown>;
}

export interface PolicyContext {
  /** The stack belongs to a protected environment (StackSettings.protected): stricter rules. */
  readonly protectedEnvironment: boolean;
  /** Every resource of the same stack (for rules that need a companion resource). */
  readonly stackResources: readonly PolicyResource[];
}

/**
 * One check, in the spirit of cdk-nag: an id, a severity, the Checkov check it corresponds
 * to, and a message that says how to fix it. `check` returns what is wrong, or nothing.
 */
export interface PolicyRule {
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly checkov?: string;
  readonly title: string;
  /** How to fix a violation. */
  readonly fix: string;
  readonly resourceTypes: readonly string[];
  check(resource: PolicyResource, context: PolicyContext): string | undefined;
}
