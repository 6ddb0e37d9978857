import { parseArgs } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calendarToday } from '@cilium-eks/cluster-factory/lifecycle';
import { estimateCost } from './estimate.js';
import { renderJson, renderMarkdown } from './render.js';

const USAGE = `Usage:
  cost-estimate <cdktf.out> --environment ENV [--format markdown|json] [--out FILE] [--date YYYY-MM-DD]
      Monthly cost estimate per stack of a synthesized app, from a dated price table
      (packages/cost-estimate/src/prices.ts). Items the table cannot price are listed, never counted as zero.
      Each EKS control plane is priced at its Kubernetes version's support on --date (standard or
      extended, from the EKS calendar); default: CLUSTER_FACTORY_TODAY, else today (UTC).

Exit status: 0 estimated; 1 error (no synthesized app, bad arguments).`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    environment: { type: 'string' },
    format: { type: 'string', default: 'markdown' },
    out: { type: 'string' },
    date: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(1);
}

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const outdir = resolve(positionals[0] ?? fail('the cdktf.out directory is required'));
if (!existsSync(join(outdir, 'manifest.json'))) fail(`${outdir} has no manifest.json: synthesize the app first (npx nx run <app>:synth)`);
if (!values.environment) fail('--environment is required');
if (values.format !== 'markdown' && values.format !== 'json') fail(`--format must be markdown or json, not ${values.format}`);
let date: string;
try {
  date = calendarToday(values.date ? { CLUSTER_FACTORY_TODAY: values.date } : process.env);
} catch (error) {
  fail(`--date: ${(error as Error).message.replace(/^CLUSTER_FACTORY_TODAY=/, '')}`);
}
const estimate = estimateCost(outdir, values.environment, { date });
const text = values.format === 'json' ? renderJson(estimate) : renderMarkdown(estimate);
if (values.out) writeFileSync(values.out, text);
process.stdout.write(text);
