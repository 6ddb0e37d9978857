import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStacks, PLUGIN_MIRROR_VARIABLE, whyNoProviders } from '@cilium-eks/terraform-harness';
import { skippedWhen } from '../../../vitest.shared.js';
import { runAppProcess } from '@cilium-eks/cluster-factory/testing/app-process';
import { renderReview } from '../src/render.js';

const ROOT = join(import.meta.dirname, '../../..');
const mirror = process.env[PLUGIN_MIRROR_VARIABLE];

describe('review of real offline plans (sandbox)', skippedWhen(whyNoProviders()), () => {
  test('every AWS stack of a new sandbox is created; nothing destroyed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-real-'));
    expect(runAppProcess(join(ROOT, 'apps/sandbox'), { outdir: join(dir, 'cdktf.out') }).status).toBe(0);
    const reports = await checkStacks({ outdir: join(dir, 'cdktf.out'), mirror, planJsonDir: join(dir, 'plans') });
    const planned = reports.filter((report) => report.planJson);
    const review = renderReview(
      planned.map((report) => ({ stack: report.stack, plan: JSON.parse(readFileSync(report.planJson!, 'utf8')) })),
      { environment: 'sandbox' },
    );
    const rows = review.markdown.split('\n').filter((line) => line.startsWith('| sandbox-') || line.startsWith('| **total**'));
    expect(rows).toEqual(planned.map((report) => `| ${report.stack} | ${report.changes!.add} | 0 | 0 | 0 |`).concat(`| **total** | ${planned.reduce((sum, report) => sum + report.changes!.add, 0)} | 0 | 0 | 0 |`));
    expect(planned.map((report) => report.stack)).toEqual(['sandbox-network', 'sandbox-cluster', 'sandbox-compute', 'sandbox-state']);
    expect(review.markdown).toContain('No resource is deleted or replaced.');
    // Each stack's section lists exactly what terraform counted for it.
    for (const report of planned) expect(review.markdown).toContain(`### ${report.stack}\n\n<details><summary>${report.changes!.add} to create</summary>`);
  });
});
