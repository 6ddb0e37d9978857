import type { IConstruct } from 'constructs';

export const SUPPRESSION_METADATA = 'cluster-factory/policy-suppression';

export interface PolicySuppression {
  readonly ruleId: string;
  /** Why the finding is acceptable here. Required. */
  readonly reason: string;
  /**
   * Who accepted the risk (a person or a ticket). Required to suppress an error-level rule in
   * a protected environment (StackSettings.protected): without it the suppression is itself an error.
   */
  readonly approvedBy?: string;
}

/**
 * Suppresses a rule for a construct and everything below it, next to the code that needs it.
 * Every suppression is listed in policy-report.json.
 */
export function suppressPolicy(scope: IConstruct, suppression: PolicySuppression): void {
  if (!suppression.reason.trim()) throw new Error(`suppressing ${suppression.ruleId} at ${scope.node.path} needs a reason`);
  scope.node.addMetadata(SUPPRESSION_METADATA, suppression);
}

/** The suppression of a rule that applies to a construct (its own, or an ancestor's). */
export function suppressionFor(scope: IConstruct, ruleId: string): PolicySuppression | undefined {
  for (const node of scope.node.scopes.reverse()) {
    const found = node.node.metadata.find((entry) => entry.type === SUPPRESSION_METADATA && (entry.data as PolicySuppression).ruleId === ruleId);
    if (found) return found.data as PolicySuppression;
  }
  return undefined;
}
