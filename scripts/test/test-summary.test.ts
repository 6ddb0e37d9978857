import { describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_REASON, readTestRuns, summarize, type VitestReport } from '../lib/test-summary.js';

/** A report as vitest's JSON reporter writes it (the fields the summary reads). */
const report = (passed: number, failed: number, skipped: Array<{ fullName: string; skipReason?: string }> = []): VitestReport => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: skipped.length,
  numTodoTests: 0,
  testResults: [
    {
      name: '/repo/test/a.test.ts',
      assertionResults: [
        ...Array.from({ length: passed }, (_, index) => ({ fullName: `passes ${index}`, status: 'passed', meta: {} })),
        ...skipped.map(({ fullName, skipReason }) => ({ fullName, status: 'skipped', meta: skipReason ? { skipReason } : {} })),
      ],
    },
  ],
});

describe('closing summary', () => {
  test('one folder per Node.js line; every skipped test named under its reason; one closing line counting all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'test-results-'));
    for (const [line, files] of Object.entries({
      'node 22.23.5': { sandbox: report(3, 0) },
      'node 24.22.3 (primary)': { sandbox: report(3, 0), 'scripts-e2e': report(5, 1, [{ fullName: 'plans a stack', skipReason: 'TF_PLUGIN_MIRROR is not set' }, { fullName: 'an old test' }]) },
    })) {
      mkdirSync(join(dir, line));
      for (const [project, content] of Object.entries(files)) writeFileSync(join(dir, line, `${project}.json`), JSON.stringify(content));
    }
    const summary = summarize(readTestRuns(dir));
    expect(summary.text).toBe(
      [
        'node 22.23.5:',
        '  sandbox: 3 passed, 0 failed',
        'node 24.22.3 (primary):',
        '  sandbox: 3 passed, 0 failed',
        '  scripts-e2e: 5 passed, 1 failed',
        'skipped (2):',
        `  1 because ${NO_REASON}:`,
        '    node 24.22.3 (primary) scripts-e2e: an old test',
        '  1 because TF_PLUGIN_MIRROR is not set:',
        '    node 24.22.3 (primary) scripts-e2e: plans a stack',
        '11 passed, 1 failed, 2 skipped',
        '',
      ].join('\n'),
    );
    expect(summary).toMatchObject({ passed: 11, failed: 1, skipped: 2 });
  });

  test('stacks validate could not check are named under their reason, per app the counts', () => {
    const summary = summarize(
      [{ label: '', reports: [{ project: 'prod', report: report(2, 0) }] }],
      [
        { app: 'prod', stacks: [{ stack: 'prod-network', status: 'planned' }, { stack: 'prod-cni', status: 'not-checked', detail: 'needs helm, absent from the mirror' }] },
        { app: 'sandbox', stacks: [{ stack: 'sandbox-cni', status: 'not-checked', detail: 'needs helm, absent from the mirror' }, { stack: 'sandbox-x', status: 'failed', detail: 'terraform plan failed' }] },
      ],
    );
    expect(summary.text).toBe(
      [
        '  prod: 2 passed, 0 failed',
        'validate (terraform):',
        '  prod: 1 validated and planned, 0 validated only, 1 not checked, 0 failed',
        '  sandbox: 0 validated and planned, 0 validated only, 1 not checked, 1 failed',
        '  2 not checked because needs helm, absent from the mirror: prod-cni, sandbox-cni',
        '2 passed, 0 failed',
        '',
      ].join('\n'),
    );
  });

  test('reports at the top of the folder are a run of their own, without a label; no skipped test, no list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'test-results-'));
    writeFileSync(join(dir, 'prod.json'), JSON.stringify(report(2, 0)));
    expect(summarize(readTestRuns(dir)).text).toBe('  prod: 2 passed, 0 failed\n2 passed, 0 failed\n');
    expect(summarize(readTestRuns(join(dir, 'absent'))).text).toBe('0 passed, 0 failed\n');
  });
});
