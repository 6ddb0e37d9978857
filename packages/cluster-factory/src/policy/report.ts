import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyFinding } from './aspect.js';

/** Written beside manifest.json by every synth of an app. */
export const POLICY_REPORT_FILE = 'policy-report.json';

/**
 * cdktf writes the output despite error annotations (policy violations included) when this
 * variable is set, whatever its value. The cdktf CLI sets it for its own synth and then fails on
 * the errors itself; anyone else who sets it gets an output that breaks the rule pack.
 */
export const CONTINUE_ON_ERRORS_VARIABLE = 'CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS';

/**
 * An object a resource applies whose pinned CRD has CEL rules (x-kubernetes-validations) synth
 * could not evaluate: those rules are not checked, never passed; the API server checks them on apply.
 */
export interface NotCheckedRules {
  readonly stack: string;
  /** The resource that applies the object: `helm_release.karpenter-node-pools`. */
  readonly resource: string;
  /** `NodePool/general`. */
  readonly object: string;
  /** What was not checked. */
  readonly checks: string;
  /** How many rules the object's CRD has, how many were evaluated and held, not checked, and not applicable (field not set). */
  readonly rules: { readonly total: number; readonly evaluatedAndHeld: number; readonly notChecked: number; readonly notApplicable: number };
  /** Each rule not checked, with where and why. */
  readonly rulesNotChecked: readonly string[];
  /** Who checks them instead. */
  readonly checkedBy: string;
}

export interface PolicyReport {
  readonly findings: readonly PolicyFinding[];
  readonly summary: { readonly errors: number; readonly warnings: number; readonly suppressed: number };
  /** Checks synth could not make on what the resources apply (per object), when there are any: not passed, not failed. */
  readonly notChecked?: readonly NotCheckedRules[];
  /** Present when the output was written despite unsuppressed errors: why, and what follows. */
  readonly errorsLetThrough?: string;
}

/** Violations of error rules that no (valid) suppression covers: what fails a normal synth. */
export function unsuppressedErrors(report: PolicyReport): PolicyFinding[] {
  return report.findings.filter((finding) => finding.status === 'violation' && finding.severity === 'error');
}

/** The note recorded (and printed) when a synth wrote its output despite unsuppressed errors. */
export function errorsLetThroughNote(errors: number): string {
  return `${errors} unsuppressed policy error(s) written anyway because ${CONTINUE_ON_ERRORS_VARIABLE} was set; deploys of protected environments refuse this output. Fix each, or suppress it with a reason (docs/POLICIES.md)`;
}

/** Writes the report into a cdktf.out, noting errors that synth let through. */
export function writePolicyReport(outdir: string, report: PolicyReport): void {
  const errors = unsuppressedErrors(report).length;
  const written: PolicyReport = errors > 0 ? { ...report, errorsLetThrough: errorsLetThroughNote(errors) } : report;
  writeFileSync(join(outdir, POLICY_REPORT_FILE), `${JSON.stringify(written, null, 2)}\n`);
}

/** The policy report of a cdktf.out, or undefined when it has none (not synthesized by an app of this repository). */
export function readPolicyReport(outdir: string): PolicyReport | undefined {
  const file = join(outdir, POLICY_REPORT_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PolicyReport) : undefined;
}
