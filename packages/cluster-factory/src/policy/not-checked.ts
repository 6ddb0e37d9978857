import type { IConstruct } from 'constructs';
import type { CrdRuleCoverage } from '../kubernetes/crd-schema.js';

/**
 * Checks synth could not make on what a resource applies, recorded on the resource so that the
 * policy report lists them beside the rule pack's findings (policy-report.json `notChecked`):
 * today the CEL rules of the pinned CRDs that the evaluator cannot run on the objects a Helm
 * release applies (karpenter-node-pools). Never counted as passed.
 */
const RECORDED = new WeakMap<IConstruct, readonly CrdRuleCoverage[]>();

/** Records the CEL rule coverage of the objects `resource` applies. */
export function recordCrdRuleCoverage(resource: IConstruct, coverage: readonly CrdRuleCoverage[]): void {
  RECORDED.set(resource, coverage);
}

/** The CEL rule coverage recorded on a resource, or undefined. */
export function crdRuleCoverageOf(resource: IConstruct): readonly CrdRuleCoverage[] | undefined {
  return RECORDED.get(resource);
}
