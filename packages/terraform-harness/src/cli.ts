import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkStacks, formatReports } from './check-stacks.js';
import { PLUGIN_MIRROR_VARIABLE } from './terraform.js';

/** Where the reports go as JSON, for CI's closing summary (scripts/test-summary.ts). */
const REPORT_DIR_VARIABLE = 'VALIDATE_REPORT_DIR';

const USAGE = `Usage: check-stacks <cdktf.out> [--plan-json DIR] [--keep]

Runs terraform init on every synthesized stack, then an offline plan (local state,
placeholder credentials) of every AWS-only stack, which validates it first, and
terraform validate on the others.
Set ${PLUGIN_MIRROR_VARIABLE} to an offline provider mirror to install providers from it.
Set ${REPORT_DIR_VARIABLE} to a folder to also write the reports there as <app>.json (the
app: the folder holding cdktf.out), for a closing summary.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'plan-json': { type: 'string' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
if (values.help || positionals.length !== 1) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
const outdir = resolve(positionals[0]!);
const reports = await checkStacks({
  outdir,
  mirror,
  planJsonDir: values['plan-json'] ? resolve(values['plan-json']) : undefined,
  keepWorkdirs: values.keep,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatReports(reports)}\n`);
const reportDir = process.env[REPORT_DIR_VARIABLE];
if (reportDir) {
  mkdirSync(reportDir, { recursive: true });
  const stacks = reports.map(({ stack, status, detail }) => ({ stack, status, detail }));
  writeFileSync(join(reportDir, `${basename(dirname(outdir))}.json`), `${JSON.stringify(stacks, null, 2)}\n`);
}
process.exit(reports.some((report) => report.status === 'failed') || reports.length === 0 ? 1 : 0);
