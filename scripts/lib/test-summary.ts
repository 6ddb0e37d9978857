/**
 * The closing summary of a CI run: the JSON reports vitest wrote for every project (one folder
 * per Node.js line the tests ran on), added up into `N passed, N failed, N skipped`, after the
 * list of what was skipped and why (vitest.shared.ts `skippedWhen`), and of the stacks that
 * validate (the real terraform) could not check, with the reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The part of vitest's JSON report the summary reads. */
export interface VitestReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
  readonly testResults: ReadonlyArray<{
    readonly name: string;
    readonly assertionResults: ReadonlyArray<{ readonly fullName: string; readonly status: string; readonly meta?: { readonly skipReason?: string } }>;
  }>;
}

/** The reports of one test run: a Node.js line (the folder's name), or '' for the reports at the top. */
export interface TestRun {
  readonly label: string;
  readonly reports: ReadonlyArray<{ readonly project: string; readonly report: VitestReport }>;
}

export interface TestSummary {
  readonly text: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** What validate said of each stack of an app (terraform-harness cli, VALIDATE_REPORT_DIR). */
export interface ValidateReport {
  readonly app: string;
  readonly stacks: ReadonlyArray<{ readonly stack: string; readonly status: 'planned' | 'validated' | 'not-checked' | 'failed'; readonly detail?: string }>;
}

/** Said of a skipped test whose suite gave no reason. */
export const NO_REASON = 'no reason given (skip it with skippedWhen(reason) from vitest.shared.ts)';

const SKIPPED = new Set(['skipped', 'pending', 'todo']);

/** Every run found in a results directory: its top-level reports, and one run per subfolder. */
export function readTestRuns(dir: string): TestRun[] {
  if (!existsSync(dir)) return [];
  const reportsIn = (folder: string) =>
    readdirSync(folder)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({ project: file.replace(/\.json$/, ''), report: JSON.parse(readFileSync(join(folder, file), 'utf8')) as VitestReport }));
  const folders = readdirSync(dir)
    .filter((entry) => statSync(join(dir, entry)).isDirectory())
    .sort();
  return [{ label: '', reports: reportsIn(dir) }, ...folders.map((folder) => ({ label: folder, reports: reportsIn(join(dir, folder)) }))].filter((run) => run.reports.length > 0);
}

/** The validate reports of a folder, by app. */
export function readValidateReports(dir: string): ValidateReport[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ app: file.replace(/\.json$/, ''), stacks: JSON.parse(readFileSync(join(dir, file), 'utf8')) as ValidateReport['stacks'] }));
}

/** Per app what validate did, and every stack it could not check under its reason. */
function validateLines(reports: readonly ValidateReport[]): string[] {
  if (reports.length === 0) return [];
  const lines = ['validate (terraform):'];
  const notChecked = new Map<string, string[]>();
  for (const { app, stacks } of reports) {
    const count = (status: string) => stacks.filter((entry) => entry.status === status).length;
    lines.push(`  ${app}: ${count('planned')} validated and planned, ${count('validated')} validated only, ${count('not-checked')} not checked, ${count('failed')} failed`);
    for (const entry of stacks.filter((candidate) => candidate.status === 'not-checked')) {
      const reason = entry.detail ?? 'no reason given';
      notChecked.set(reason, [...(notChecked.get(reason) ?? []), entry.stack]);
    }
  }
  for (const [reason, stacks] of notChecked) lines.push(`  ${stacks.length} not checked because ${reason}: ${stacks.join(', ')}`);
  return lines;
}

/** Per run and project `N passed, N failed`, then what was skipped by reason, then the closing line. */
export function summarize(runs: readonly TestRun[], validate: readonly ValidateReport[] = []): TestSummary {
  const lines: string[] = [];
  const skippedByReason = new Map<string, string[]>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const run of runs) {
    if (run.label) lines.push(`${run.label}:`);
    for (const { project, report } of run.reports) {
      passed += report.numPassedTests;
      failed += report.numFailedTests;
      skipped += report.numPendingTests + report.numTodoTests;
      lines.push(`  ${project}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
      for (const file of report.testResults) {
        for (const test of file.assertionResults.filter((result) => SKIPPED.has(result.status))) {
          const reason = test.meta?.skipReason ?? NO_REASON;
          const where = `${run.label ? `${run.label} ` : ''}${project}: ${test.fullName}`;
          skippedByReason.set(reason, [...(skippedByReason.get(reason) ?? []), where]);
        }
      }
    }
  }
  lines.push(...validateLines(validate));
  if (skippedByReason.size > 0) {
    lines.push(`skipped (${skipped}):`);
    for (const [reason, tests] of [...skippedByReason].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${tests.length} because ${reason}:`, ...tests.map((test) => `    ${test}`));
    }
  }
  lines.push(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { text: `${lines.join('\n')}\n`, passed, failed, skipped };
}
