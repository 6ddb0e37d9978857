/**
 * Refreshes the EKS add-on pins (packages/cluster-factory/reference/eks/addon-versions.json)
 * with the AWS CLI, for every Kubernetes version EKS offers today (the calendar):
 *
 *   npx tsx scripts/refresh-eks-addon-versions.ts     # aws eks describe-addon-versions per add-on (AWS credentials)
 *   ... --file OTHER.json                             # writes another copy of the table (tests)
 *
 * Each add-on gets AWS's default version for each minor (what `aws eks create-addon` installs
 * without a version). Refuses to write a table in which an add-on's version goes down from one
 * minor to the next (EKS refuses such an upgrade): pin those by hand and review the diff.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EKS_ADDON_VERSIONS, addonDowngrades, calendarToday, offeredVersions, type EksAddonName } from '@cilium-eks/cluster-factory/lifecycle';
import { defaultAddonVersion, type DescribeAddonVersions } from './lib/eks-refresh.js';

const { values } = parseArgs({ options: { file: { type: 'string' } } });
const FILE = values.file ?? join(import.meta.dirname, '../packages/cluster-factory/reference/eks/addon-versions.json');
try {
  const today = calendarToday();
  const minors = offeredVersions(today);
  const current = JSON.parse(readFileSync(FILE, 'utf8')) as { description: string; refresh: string; addons: Record<string, { source: string; versions: Record<string, string> }> };
  const addons: Record<string, { source: string; versions: Record<string, string> }> = {};
  const problems: string[] = [];
  for (const addon of Object.keys(EKS_ADDON_VERSIONS.addons) as EksAddonName[]) {
    const output = JSON.parse(execFileSync('aws', ['eks', 'describe-addon-versions', '--addon-name', addon, '--output', 'json'], { encoding: 'utf8' })) as DescribeAddonVersions;
    const versions: Record<string, string> = {};
    for (const minor of minors) {
      const version = defaultAddonVersion(output, addon, minor);
      if (version) versions[minor] = version;
      else problems.push(`${addon}: no default version for Kubernetes ${minor}`);
    }
    problems.push(...addonDowngrades(addon, versions).map((downgrade) => `${downgrade} (a downgrade on upgrade)`));
    addons[addon] = { source: `aws eks describe-addon-versions --addon-name ${addon}: the default version per Kubernetes minor, read ${today}`, versions };
  }
  if (problems.length > 0) throw new Error(`not written:\n  ${problems.join('\n  ')}`);
  writeFileSync(FILE, `${JSON.stringify({ description: current.description, retrieved: today, refresh: current.refresh, addons }, null, 2)}\n`);
  process.stdout.write(`wrote ${Object.keys(addons).length} add-ons for ${minors.join(', ')} to ${FILE}\n`);
} catch (error) {
  process.stderr.write(`refresh-eks-addon-versions: ${(error as Error).message}\n`);
  process.exit(1);
}
