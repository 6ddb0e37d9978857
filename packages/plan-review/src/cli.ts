import { parseArgs } from 'node:util';
import { basename, join, resolve } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { checkStacks, formatReports, PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { readPolicyReport } from '@cilium-eks/cluster-factory/policy-report';
import { renderReview, type ReviewOptions, type StackPlan } from './render.js';
import { parsePlan } from './plan.js';

const USAGE = `Usage:
  plan-review render <plan.json>... --environment ENV [--fail-on-destroy] [--allow-destroy] [--out FILE]
      Markdown review of \`terraform show -json\` plans (stack name: file name without .plan.json).
  plan-review offline <cdktf.out> --environment ENV [--fail-on-destroy] [--allow-destroy] [--out FILE]
      Plan every AWS-only stack against empty state (no credentials) and review the plans.
  plan-review synth-diff --app APP --base REF      (or: synth-diff <base cdktf.out> <head cdktf.out>)
      Which stacks of apps/APP differ between REF and the working tree, ignoring cdktf metadata.

--fail-on-destroy: the environment is protected (its config's protect_stateful_resources); --allow-destroy overrides it.
Exit status: 0 reviewed; 2 refused (destructive changes with --fail-on-destroy and without --allow-destroy); 1 error.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    environment: { type: 'string' },
    out: { type: 'string' },
    'fail-on-destroy': { type: 'boolean', default: false },
    'allow-destroy': { type: 'boolean', default: false },
    app: { type: 'string' },
    base: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const [command, ...args] = positionals;
const workspaceRoot = resolve(import.meta.dirname, '../../..');

function review(stacks: StackPlan[], extra: Pick<ReviewOptions, 'notPlanned' | 'offline' | 'policy'> = {}): never {
  if (!values.environment) throw new Error('--environment is required');
  const failOnDestroy = values['fail-on-destroy'] && !values['allow-destroy'];
  const result = renderReview(stacks, { environment: values.environment, failOnDestroy, ...extra });
  if (values.out) writeFileSync(values.out, result.markdown);
  process.stdout.write(result.markdown);
  process.exit(result.refused ? 2 : 0);
}

async function main() {
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 1);
  }
  if (command === 'render') {
    if (args.length === 0) throw new Error(`render needs at least one plan file\n${USAGE}`);
    review(args.map((file) => ({ stack: basename(file).replace(/\.plan\.json$|\.json$/, ''), plan: parsePlan(readFileSync(file, 'utf8'), file) })));
  }
  if (command === 'offline') {
    const outdir = resolve(args[0] ?? '');
    const planJsonDir = mkdtempSync(join(tmpdir(), 'plan-review-'));
    let stacks: StackPlan[];
    let notPlanned: Array<{ stack: string; reason: string }>;
    try {
      const reports = await checkStacks({ outdir, mirror: process.env[PLUGIN_MIRROR_VARIABLE] || undefined, planJsonDir, log: (line) => process.stderr.write(`${line}\n`) });
      process.stderr.write(`${formatReports(reports)}\n`);
      if (reports.some((report) => report.status === 'failed')) throw new Error('some stacks failed to plan (see above)');
      stacks = reports.filter((report) => report.planJson).map((report) => ({ stack: report.stack, plan: parsePlan(readFileSync(report.planJson!, 'utf8'), report.planJson!) }));
      notPlanned = reports.filter((report) => !report.planJson).map((report) => ({ stack: report.stack, reason: report.detail ?? report.status }));
    } finally {
      rmSync(planJsonDir, { recursive: true, force: true });
    }
    review(stacks, { offline: true, notPlanned, policy: readPolicyReport(outdir) ?? null });
  }
  if (command === 'synth-diff') {
    // Loaded here only: it brings the app runner, which render and offline do not need at start-up.
    const { diffSynthOutputs, formatSynthDiff, synthAtRef } = await import('./synth-diff.js');
    if (args.length === 2) {
      process.stdout.write(`${formatSynthDiff(diffSynthOutputs(resolve(args[0]!), resolve(args[1]!)))}\n`);
      return;
    }
    if (!values.app || !values.base) throw new Error('synth-diff needs --app and --base, or two cdktf.out directories');
    const head = join(workspaceRoot, 'apps', values.app, 'cdktf.out');
    if (!existsSync(join(head, 'manifest.json'))) throw new Error(`${head} has no synthesized app: run nx run ${values.app}:synth first`);
    const base = synthAtRef(workspaceRoot, values.base, values.app);
    try {
      process.stdout.write(`${formatSynthDiff(diffSynthOutputs(base.outdir, head))}\n`);
    } finally {
      base.cleanup();
    }
    return;
  }
  throw new Error(`unknown command ${command}\n${USAGE}`);
}

main().catch((error: Error) => {
  process.stderr.write(`plan-review: ${error.message}\n`);
  process.exit(1);
});
