/**
 * Derives the project's instance table from three upstream data files and writes it into the
 * repository, so that synth and tests never read anything outside it:
 *
 * - ENI limits: awslabs/amazon-eks-ami `nodeadm/internal/kubelet/instance-info.jsonl`
 *   (`defaultMaxENIs`, `ipv4AddressesPerInterface`);
 * - vCPUs, memory, architecture, GPUs and Neuron accelerators: aws/karpenter-provider-aws
 *   `website/content/en/<minor>/reference/instance-types.md` (the labels Karpenter puts on
 *   its nodes: `karpenter.k8s.aws/instance-cpu`, `-memory`, `-gpu-count`, `-gpu-manufacturer`,
 *   `-gpu-name`, `-accelerator-count`, `-accelerator-name`, `kubernetes.io/arch`);
 * - us-east-1 Linux on-demand prices: aws/karpenter-provider-aws
 *   `pkg/providers/pricing/zz_generated.pricing_aws.go` (generated from the AWS Price List API).
 *
 *   tsx scripts/reference/instance-table.ts \
 *     --instance-info <instance-info.jsonl> --instance-info-source "<ref, date>" \
 *     --karpenter-types <instance-types.md> --karpenter-types-path <its path upstream> \
 *     --karpenter-prices <zz_generated.pricing_aws.go> \
 *     --karpenter-source "tag <tag> (commit <sha>, <date>)" --date <YYYY-MM-DD>
 *
 * The Karpenter files come from the tag of the pinned chart (KARPENTER_CHART in src/features/karpenter/versions.ts):
 * `git show <tag>:website/content/en/docs/reference/instance-types.md` (the tag's own version)
 * and `git show <tag>:pkg/providers/pricing/zz_generated.pricing_aws.go`.
 *
 * It writes packages/cluster-factory/src/capacity/instance-data.ts and
 * packages/cost-estimate/src/ec2-prices.ts. To support another family, add it to FAMILIES
 * (docs/INSTANCE_TYPES.md). Bare metal sizes are left out (no AMI type or ENI model here).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '../..');

/**
 * The families of the table, in this order (it is the order configs list them in messages and
 * Karpenter requirements). New families go at the end so that existing output keeps its order.
 */
export const FAMILIES = [
  // x86_64, no accelerator
  't3', 't3a', 'm5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a', 'c5', 'c6i', 'c6a', 'c7i', 'r5', 'r6i', 'r7i',
  // x86_64, NVIDIA
  'g5', 'g6', 'p4d', 'p5',
  // arm64 (Graviton2, 3, 4), no accelerator
  't4g', 'm6g', 'm7g', 'm8g', 'c6g', 'c7g', 'c8g', 'r6g', 'r7g', 'r8g',
  // NVIDIA: x86_64, and arm64 (g5g)
  'g4dn', 'g5g', 'g6e', 'p4de', 'p5e', 'p5en', 'p6-b200',
  // x86_64, AWS Neuron (Inferentia2, Trainium)
  'inf2', 'trn1', 'trn1n', 'trn2',
] as const;

interface Row {
  type: string;
  maxEnis: number;
  ipv4PerEni: number;
  vcpus: number;
  memoryMib: number;
  arch: 'amd64' | 'arm64';
  gpus?: { count: number; manufacturer: string; name: string };
  accelerators?: { count: number; manufacturer: string; name: string };
  price?: number;
}

const { values: args } = parseArgs({
  options: {
    'instance-info': { type: 'string' },
    'instance-info-source': { type: 'string' },
    'karpenter-types': { type: 'string' },
    'karpenter-types-path': { type: 'string' },
    'karpenter-prices': { type: 'string' },
    'karpenter-source': { type: 'string' },
    date: { type: 'string' },
  },
});
const missing = ['instance-info', 'instance-info-source', 'karpenter-types', 'karpenter-types-path', 'karpenter-prices', 'karpenter-source', 'date'].filter((name) => !args[name as keyof typeof args]);
if (missing.length > 0) {
  process.stderr.write(`instance-table.ts: missing ${missing.map((name) => `--${name}`).join(', ')} (see the header of this file)\n`);
  process.exit(2);
}

const familyOf = (type: string) => type.split('.')[0]!;
const wanted = (type: string) => (FAMILIES as readonly string[]).includes(familyOf(type)) && !type.split('.')[1]!.startsWith('metal');

// ENI limits.
const enis = new Map<string, { maxEnis: number; ipv4PerEni: number }>();
for (const line of readFileSync(args['instance-info']!, 'utf8').split('\n').filter(Boolean)) {
  const entry = JSON.parse(line) as { instanceType: string; defaultMaxENIs: number; ipv4AddressesPerInterface: number };
  if (wanted(entry.instanceType)) enis.set(entry.instanceType, { maxEnis: entry.defaultMaxENIs, ipv4PerEni: entry.ipv4AddressesPerInterface });
}

// Karpenter's labels per type: "### `type`" sections with "|label|value|" rows.
const labels = new Map<string, Map<string, string>>();
let current: Map<string, string> | undefined;
for (const line of readFileSync(args['karpenter-types']!, 'utf8').split('\n')) {
  const heading = /^### `([^`]+)`/.exec(line);
  if (heading) {
    current = new Map();
    labels.set(heading[1]!, current);
    continue;
  }
  const row = /^\s*\|([\w./-]+)\|([^|]*)\|\s*$/.exec(line);
  if (row && current) current.set(row[1]!, row[2]!.trim());
}

// us-east-1 prices: `"type": 0.123400,` inside the "us-east-1" map.
const pricesText = readFileSync(args['karpenter-prices']!, 'utf8');
const usEast1 = /"us-east-1": \{([\s\S]*?)\n\t\},/.exec(pricesText)?.[1];
if (!usEast1) throw new Error('no "us-east-1" map in the prices file');
const prices = new Map([...usEast1.matchAll(/"([\w.-]+)": ([\d.]+)/g)].map((match) => [match[1]!, Number(match[2])]));

const rows: Row[] = [];
const skipped: string[] = [];
for (const [type, limits] of enis) {
  const label = labels.get(type);
  if (!label) {
    skipped.push(`${type}: not in Karpenter's instance type reference`);
    continue;
  }
  const number = (key: string) => {
    const value = label.get(key);
    if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${type}: label ${key} is ${value}`);
    return Number(value);
  };
  const arch = label.get('kubernetes.io/arch');
  if (arch !== 'amd64' && arch !== 'arm64') throw new Error(`${type}: kubernetes.io/arch is ${arch}`);
  const row: Row = { type, ...limits, vcpus: number('karpenter.k8s.aws/instance-cpu'), memoryMib: number('karpenter.k8s.aws/instance-memory'), arch, price: prices.get(type) };
  if (label.has('karpenter.k8s.aws/instance-gpu-count')) {
    row.gpus = { count: number('karpenter.k8s.aws/instance-gpu-count'), manufacturer: label.get('karpenter.k8s.aws/instance-gpu-manufacturer')!, name: label.get('karpenter.k8s.aws/instance-gpu-name')! };
  }
  if (label.has('karpenter.k8s.aws/instance-accelerator-count')) {
    row.accelerators = {
      count: number('karpenter.k8s.aws/instance-accelerator-count'),
      manufacturer: label.get('karpenter.k8s.aws/instance-accelerator-manufacturer')!,
      name: label.get('karpenter.k8s.aws/instance-accelerator-name')!,
    };
  }
  rows.push(row);
}
const familyIndex = (type: string) => (FAMILIES as readonly string[]).indexOf(familyOf(type));
rows.sort((a, b) => familyIndex(a.type) - familyIndex(b.type) || a.vcpus - b.vcpus || a.memoryMib - b.memoryMib || a.type.localeCompare(b.type));
for (const family of FAMILIES) if (!rows.some((row) => familyOf(row.type) === family)) throw new Error(`family ${family}: no type found in the sources`);

const generatedBy = 'scripts/reference/instance-table.ts';
const instanceInfoSource = `awslabs/amazon-eks-ami nodeadm/internal/kubelet/instance-info.jsonl (${args['instance-info-source']})`;
const karpenterSource = `aws/karpenter-provider-aws ${args['karpenter-source']}`;

const accelerator = (kind: 'gpus' | 'accelerators', value: Row['gpus']) =>
  value ? `, ${kind}: { count: ${value.count}, manufacturer: '${value.manufacturer}', name: '${value.name}' }` : '';
const dataLines = rows.map(
  (row) =>
    `  '${row.type}': { maxEnis: ${row.maxEnis}, ipv4PerEni: ${row.ipv4PerEni}, vcpus: ${row.vcpus}, memoryMib: ${row.memoryMib}, arch: '${row.arch}'${accelerator('gpus', row.gpus)}${accelerator('accelerators', row.accelerators)} },`,
);
const data = `// Generated by ${generatedBy} on ${args.date}; do not edit by hand (docs/INSTANCE_TYPES.md).
import type { InstanceTypeData } from './instance-types.js';

/** Where every figure of INSTANCE_DATA comes from. */
export const INSTANCE_DATA_SOURCES = {
  /** maxEnis, ipv4PerEni: defaultMaxENIs and ipv4AddressesPerInterface. */
  eniLimits: ${JSON.stringify(instanceInfoSource)},
  /** vcpus, memoryMib, arch, gpus, accelerators: the labels Karpenter puts on nodes of each type. */
  resources: ${JSON.stringify(`${karpenterSource}, ${args['karpenter-types-path']}`)},
  /** The day the table was derived. */
  derivedOn: '${args.date}',
} as const;

/**
 * Every instance type the project supports, bare metal excluded, grouped by family in the
 * order of FAMILIES in ${generatedBy}.
 */
export const INSTANCE_DATA: Readonly<Record<string, InstanceTypeData>> = {
${dataLines.join('\n')}
};
`;
writeFileSync(join(ROOT, 'packages/cluster-factory/src/capacity/instance-data.ts'), data);

const priced = rows.filter((row) => row.price !== undefined);
const unpriced = rows.filter((row) => row.price === undefined).map((row) => row.type);
const priceData = `// Generated by ${generatedBy} on ${args.date}; do not edit by hand (docs/INSTANCE_TYPES.md).

/** Source of EC2_US_EAST_1_ON_DEMAND: Karpenter's copy of the AWS Price List API, with the time it was generated. */
export const EC2_PRICES_SOURCE = ${JSON.stringify(`${karpenterSource}, pkg/providers/pricing/zz_generated.pricing_aws.go (${/generated at (\S+)/.exec(pricesText)?.[1] ?? 'date unknown'}, us-east-1, Linux on-demand)`)};

/** Types of the instance table the source has no us-east-1 price for (not offered there). */
export const EC2_UNPRICED_IN_US_EAST_1: readonly string[] = ${JSON.stringify(unpriced)};

/** USD per hour, Linux on-demand, us-east-1, for every type of the instance table the source prices. */
export const EC2_US_EAST_1_ON_DEMAND: Readonly<Record<string, number>> = {
${priced.map((row) => `  '${row.type}': ${row.price},`).join('\n')}
};
`;
writeFileSync(join(ROOT, 'packages/cost-estimate/src/ec2-prices.ts'), priceData);
process.stdout.write(`${rows.length} types (${priced.length} priced) written\n${skipped.map((line) => `skipped ${line}\n`).join('')}`);
