/**
 * Refreshes the EKS calendar (packages/cluster-factory/reference/eks/kubernetes-versions.json)
 * from the AWS CLI:
 *
 *   npx tsx scripts/refresh-eks-calendar.ts                 # runs aws eks describe-cluster-versions (AWS credentials)
 *   npx tsx scripts/refresh-eks-calendar.ts versions.json   # or reads its saved output
 *   ... --file OTHER.json                                   # writes another copy of the table (tests)
 *
 * Keeps the file's source and refresh notes, sets the retrieval date, writes every EKS version
 * with its release, end of standard and end of extended support (UTC days). Review the diff:
 * a version that moves into extended support changes what synth warns about.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calendarFromDescribe, type DescribeClusterVersions } from './lib/eks-refresh.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { file: { type: 'string' } } });
const FILE = values.file ?? join(import.meta.dirname, '../packages/cluster-factory/reference/eks/kubernetes-versions.json');
const [input] = positionals;
try {
  const text = input ? readFileSync(input, 'utf8') : execFileSync('aws', ['eks', 'describe-cluster-versions', '--output', 'json'], { encoding: 'utf8' });
  const versions = calendarFromDescribe(JSON.parse(text) as DescribeClusterVersions);
  const current = JSON.parse(readFileSync(FILE, 'utf8')) as { source: string; refresh: string };
  const retrieved = process.env.CLUSTER_FACTORY_TODAY || new Date().toISOString().slice(0, 10);
  writeFileSync(FILE, `${JSON.stringify({ source: `${current.source.replace(/; read from aws eks describe-cluster-versions.*$/, '')}; read from aws eks describe-cluster-versions`, retrieved, refresh: current.refresh, versions }, null, 2)}\n`);
  process.stdout.write(`wrote ${versions.length} versions (${versions.map((entry) => entry.version).join(', ')}) to ${FILE}\n`);
} catch (error) {
  process.stderr.write(`refresh-eks-calendar: ${(error as Error).message}\n`);
  process.exit(1);
}
