/**
 * Adds up the JSON reports vitest wrote for every project into one closing line,
 * `N passed, N failed, N skipped`, after the list of what was skipped and why and of the stacks
 * validate could not check; fails when a test failed or no test ran at all. Reports in a
 * subfolder are another run (a Node.js line).
 */
import { join } from 'node:path';
import { readTestRuns, readValidateReports, summarize } from './lib/test-summary.js';

const cache = join(import.meta.dirname, '../node_modules/.cache');
const summary = summarize(readTestRuns(join(cache, 'test-results')), readValidateReports(join(cache, 'validate-results')));
process.stdout.write(summary.text);
process.exit(summary.failed > 0 || summary.passed === 0 ? 1 : 0);
