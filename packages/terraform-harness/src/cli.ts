import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { checkStacks, formatReports } from './check-stacks.js';
import { PLUGIN_MIRROR_VARIABLE } from './terraform.js';

const USAGE = `Usage: check-stacks <cdktf.out> [--plan-json DIR] [--keep]

Runs terraform init and validate on every synthesized stack, and an offline plan
(local state, placeholder credentials) on every AWS-only stack.
Set ${PLUGIN_MIRROR_VARIABLE} to an offline provider mirror to install providers from it.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'plan-json': { type: 'string' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
if (values.help || positionals.length !== 1) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
const reports = await checkStacks({
  outdir: resolve(positionals[0]!),
  mirror,
  planJsonDir: values['plan-json'] ? resolve(values['plan-json']) : undefined,
  keepWorkdirs: values.keep,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatReports(reports)}\n`);
process.exit(reports.some((report) => report.status === 'failed') || reports.length === 0 ? 1 : 0);
