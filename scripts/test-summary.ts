/**
 * Adds up the JSON reports vitest wrote for every project into one closing line,
 * `N passed, N failed, N skipped`, after the list of what was skipped and why; fails when a
 * test failed or no test ran at all. Reports in a subfolder are another run (a Node.js line).
 */
import { join } from 'node:path';
import { readTestRuns, summarize } from './lib/test-summary.js';

const summary = summarize(readTestRuns(join(import.meta.dirname, '../node_modules/.cache/test-results')));
process.stdout.write(summary.text);
process.exit(summary.failed > 0 || summary.passed === 0 ? 1 : 0);
