import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { backendKey, readSynthesizedStacks, type SynthesizedStack } from '@cilium-eks/terraform-harness';
import { INSTANCE_DATA, KNOWN_INSTANCE_TYPES, admittedInstanceTypes, instanceFamily, type InstanceRequirement } from '@cilium-eks/cluster-factory/instance-types';
import { EKS_CALENDAR, calendarToday, eksRelease, nextKubernetesVersion, supportPhase } from '@cilium-eks/cluster-factory/lifecycle';
import { DEFAULT_ASSUMPTIONS, INSTANCE_SPECS, PRICES_AS_OF, PRICE_SOURCES, REGION_PRICES, ROUTE53_HOSTED_ZONE_MONTH, type Assumptions, type RegionPrices } from './prices.js';

/** One priced item of one stack. */
export interface CostLine {
  readonly stack: string;
  readonly region: string;
  readonly item: string;
  /** Quantity and unit price, or the assumption behind the figure. */
  readonly detail: string;
  /** USD per month, rounded to cents. */
  readonly monthlyUsd: number;
}

/** Something the stacks create that the price table cannot price: reported, never counted as zero. */
export interface UnpricedItem {
  readonly stack: string;
  readonly region: string;
  readonly item: string;
  readonly reason: string;
}

/** The node groups of one compute stack at desired size, priced three ways. */
export interface ComparisonRow {
  readonly stack: string;
  readonly region: string;
  readonly nodes: number;
  readonly vcpus: number;
  readonly memoryGib: number;
  /** Every node on-demand. */
  readonly ec2OnDemandUsd: number;
  /** The same nodes launched by Karpenter on spot. */
  readonly karpenterSpotUsd: number;
  /** Pods requesting the nodes' whole vCPUs and memory on Fargate. */
  readonly fargateUsd: number;
}

/** A cluster in extended support, and what upgrading it to a version in standard support saves. */
export interface UpgradeSaving {
  readonly stack: string;
  readonly region: string;
  readonly cluster: string;
  readonly version: string;
  /** The next version, whose standard support lasts longer. */
  readonly upgradeTo: string;
  readonly monthlyUsd: number;
}

export interface EstimateOptions {
  /** @default DEFAULT_ASSUMPTIONS */
  readonly assumptions?: Assumptions;
  /** The day (YYYY-MM-DD) each cluster's Kubernetes version is priced on: standard or extended support. @default calendarToday(): CLUSTER_FACTORY_TODAY, else today (UTC) */
  readonly date?: string;
}

export interface CostEstimate {
  readonly environment: string;
  /** The day the support status (and so the control-plane price) is judged on. */
  readonly date: string;
  readonly pricesAsOf: string;
  readonly sources: Readonly<Record<string, string>>;
  readonly assumptions: Assumptions;
  readonly lines: readonly CostLine[];
  readonly unpriced: readonly UnpricedItem[];
  /** Per stack, in deployment order (stacks without priced items included, at 0). */
  readonly stacks: ReadonlyArray<{ readonly stack: string; readonly monthlyUsd: number }>;
  /** Sum of the lines; unpriced items excluded. */
  readonly totalUsd: number;
  /** The part of the total that is Karpenter capacity at the assumed utilisation. */
  readonly karpenterUsd: number;
  readonly comparison: readonly ComparisonRow[];
  /** Clusters in extended support on `date`, and what an upgrade saves each month. */
  readonly upgradeSavings: readonly UpgradeSaving[];
  /** Costs that depend on use, not on the code. */
  readonly notIncluded: readonly string[];
}

export const NOT_INCLUDED = [
  'data transfer between zones, regions and to the internet',
  'load balancers created at run time by Services and Gateway API (about $16/month each plus LCUs)',
  'NLB and ALB capacity units (LCUs), KMS and Secrets Manager API requests, S3 state storage',
];

const KARPENTER_ITEM = 'Karpenter pool';

/** Rounds to cents. */
export function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

type Resources = Record<string, Record<string, unknown>>;
type Values = Record<string, unknown>;

/** A unit price: `$0.10`, `$0.0225`, `$1`. */
function usd(value: number): string {
  if (Number.isInteger(value)) return `$${value}`;
  const fixed = value.toFixed(2);
  return `$${Number(fixed) === value ? fixed : String(Number(value.toPrecision(6)))}`;
}

/** The region of every AWS provider of a stack: '' for the default, the alias otherwise. */
function providerRegions(stack: SynthesizedStack): Map<string, string> {
  const regions = new Map<string, string>();
  const aws = (stack.json.provider as { aws?: Array<{ alias?: string; region?: string }> } | undefined)?.aws ?? [];
  for (const provider of aws) if (provider.region) regions.set(provider.alias ? `aws.${provider.alias}` : '', provider.region);
  // Kubernetes-side stacks have no AWS provider: the state key is <env>/<region>/<stack>.tfstate.
  if (!regions.has('')) {
    const key = backendKey(stack.json)?.split('/');
    if (key && key.length >= 3 && key[1]) regions.set('', key[1]);
  }
  return regions;
}

function referencedName(reference: unknown, type: string): string | undefined {
  return typeof reference === 'string' ? new RegExp(`^\\$\\{${type}\\.([^.]+)\\.`).exec(reference)?.[1] : undefined;
}

interface NodePoolValues {
  name: string;
  limits?: { cpu?: number };
  /** Without an operator: In. */
  requirements?: Array<{ key: string; operator?: InstanceRequirement['operator']; values: string[] }>;
}

interface NodePoolObject {
  kind?: string;
  metadata?: { name?: string };
  spec?: { limits?: { cpu?: number | string }; template?: { spec?: { requirements?: Array<{ key: string; operator?: InstanceRequirement['operator']; values?: string[] }> } } };
}

/**
 * Karpenter NodePools a helm_release ships as plain YAML (a chart generated at synth into the
 * stack's assets): read from the synthesized files, exactly what reaches the cluster.
 */
function assetNodePools(stack: SynthesizedStack, release: Values): NodePoolValues[] {
  const chart = release.chart;
  if (typeof chart !== 'string' || !chart.startsWith('assets/')) return [];
  const templates = join(dirname(stack.file), chart, 'templates');
  if (!existsSync(templates)) return [];
  return readdirSync(templates)
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(templates, file), 'utf8')).map((document) => document.toJS() as NodePoolObject | null))
    .filter((object): object is NodePoolObject => object?.kind === 'NodePool')
    .map((object) => ({
      name: object.metadata?.name ?? 'unnamed',
      limits: { cpu: Number(object.spec?.limits?.cpu ?? 0) },
      requirements: (object.spec?.template?.spec?.requirements ?? []).map((requirement) => ({ key: requirement.key, operator: requirement.operator, values: requirement.values ?? [] })),
    }));
}

/** The family a pool given by categories is priced at, per architecture: `<category>6i` (x86), `<category>7g` (Graviton). */
export const CATEGORY_REFERENCE_FAMILY_SUFFIX = { amd64: '6i', arm64: '7g' } as const;

/**
 * The instance type a Karpenter pool is priced at: its first family's smallest type of at
 * least 4 vCPUs (the xlarge; p5: 4xlarge), or for categories the reference family of the
 * first category (m when listed) in the pool's architecture: m6i.xlarge, or m7g.xlarge for
 * an arm64-only pool (a pool that admits both is priced as x86, the dearer). Families,
 * categories and architectures are read from In requirements; the pool's other requirements
 * (instance-cpu, instance-memory, instance-size...) choose among that family's types: a pool of
 * `instance-cpu Gte 8` is priced at the 2xlarge.
 */
export function karpenterReferenceType(pool: NodePoolValues): string {
  const values = (key: string) => pool.requirements?.find((requirement) => requirement.key === key && (requirement.operator ?? 'In') === 'In')?.values ?? [];
  const families = values('karpenter.k8s.aws/instance-family');
  const categories = values('karpenter.k8s.aws/instance-category');
  const arch = values('kubernetes.io/arch');
  const family =
    families[0] ??
    `${categories.includes('m') || categories.length === 0 ? 'm' : categories[0]}${CATEGORY_REFERENCE_FAMILY_SUFFIX[arch.length > 0 && !arch.includes('amd64') ? 'arm64' : 'amd64']}`;
  const bySize = (a: string, b: string) => INSTANCE_DATA[a]!.vcpus - INSTANCE_DATA[b]!.vcpus;
  const ofFamily = KNOWN_INSTANCE_TYPES.filter((type) => instanceFamily(type) === family && INSTANCE_DATA[type]!.vcpus >= 4).sort(bySize);
  // The reference family stands for the pool's families: only requirements on the type itself narrow it.
  const sized = (pool.requirements ?? []).filter((requirement) => !['karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-category', 'kubernetes.io/arch'].includes(requirement.key));
  const admitted = new Set(admittedInstanceTypes(sized.map((requirement) => ({ ...requirement, operator: requirement.operator ?? 'In' })), Number.POSITIVE_INFINITY));
  return ofFamily.find((type) => admitted.has(type)) ?? ofFamily[0] ?? `${family}.xlarge`;
}

/** Whether a pool may launch spot: its capacity-type requirement admits spot (none: Karpenter launches on-demand). */
function spotAllowed(pool: NodePoolValues): boolean {
  const requirement = pool.requirements?.find((entry) => entry.key === 'karpenter.sh/capacity-type');
  if (!requirement) return false;
  const operator = requirement.operator ?? 'In';
  return operator === 'In' ? requirement.values.includes('spot') : operator === 'NotIn' ? !requirement.values.includes('spot') : operator === 'Exists';
}

/** Reads a cdktf.out directory and estimates its monthly cost. */
export function estimateCost(outdir: string, environment: string, options: EstimateOptions = {}): CostEstimate {
  return estimateStacks(readSynthesizedStacks(outdir), environment, options);
}

export function estimateStacks(stacks: readonly SynthesizedStack[], environment: string, options: EstimateOptions = {}): CostEstimate {
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const date = options.date ?? calendarToday();
  const hours = assumptions.hoursPerMonth;
  const upgradeSavings: UpgradeSaving[] = [];
  const lines: CostLine[] = [];
  const unpriced: UnpricedItem[] = [];
  const comparison: ComparisonRow[] = [];

  for (const stack of stacks) {
    const regions = providerRegions(stack);
    const resources = (stack.json.resource ?? {}) as Record<string, Resources>;
    const each = (type: string) => Object.entries(resources[type] ?? {}).sort(([a], [b]) => a.localeCompare(b)) as Array<[string, Values]>;
    const regionOf = (resource: Values) => regions.get(typeof resource.provider === 'string' ? resource.provider : '') ?? 'unknown';
    const priced = (resource: Values | string, item: string, price: (prices: RegionPrices) => { detail: string; monthly: number } | string) => {
      const region = typeof resource === 'string' ? resource : regionOf(resource);
      const prices = REGION_PRICES[region];
      const result = prices ? price(prices) : `no prices for region ${region} in the table`;
      if (typeof result === 'string') unpriced.push({ stack: stack.name, region, item, reason: result });
      else lines.push({ stack: stack.name, region, item, detail: result.detail, monthlyUsd: cents(result.monthly) });
    };
    const count = (type: string) => each(type).length;
    const byRegion = (type: string) => {
      const counts = new Map<string, number>();
      for (const [, resource] of each(type)) counts.set(regionOf(resource), (counts.get(regionOf(resource)) ?? 0) + 1);
      return [...counts].sort(([a], [b]) => a.localeCompare(b));
    };
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

    for (const [, cluster] of each('aws_eks_cluster')) {
      const version = String(cluster.version);
      const name = String(cluster.name);
      const release = eksRelease(version);
      priced(cluster, `EKS control plane ${name} (Kubernetes ${version})`, (p) => {
        if (!release) return `Kubernetes ${version} is not in the EKS calendar (${EKS_CALENDAR.versions.map((entry) => entry.version).join(', ')})`;
        const phase = supportPhase(release, date);
        if (phase === 'unreleased') return `Kubernetes ${version} is not offered by EKS before ${release.released}`;
        if (phase === 'ended') return `Kubernetes ${version} left EKS extended support on ${release.endOfExtendedSupport}`;
        if (phase === 'standard') return { detail: `1 x ${usd(p.eksClusterHour)}/h (standard support until ${release.endOfStandardSupport})`, monthly: p.eksClusterHour * hours };
        const upgradeTo = nextKubernetesVersion(version)!;
        upgradeSavings.push({ stack: stack.name, region: regionOf(cluster), cluster: name, version, upgradeTo, monthlyUsd: cents((p.eksClusterExtendedHour - p.eksClusterHour) * hours) });
        return { detail: `1 x ${usd(p.eksClusterExtendedHour)}/h (extended support since ${release.endOfStandardSupport})`, monthly: p.eksClusterExtendedHour * hours };
      });
    }
    for (const [region, n] of byRegion('aws_nat_gateway')) {
      priced(region, 'NAT gateways', (p) => ({ detail: `${n} x ${usd(p.natGatewayHour)}/h`, monthly: n * p.natGatewayHour * hours }));
      priced(region, 'NAT data processing', (p) => ({
        detail: `assumed ${assumptions.natGbPerGateway} GB per gateway x ${usd(p.natGatewayGb)}/GB`,
        monthly: n * assumptions.natGbPerGateway * p.natGatewayGb,
      }));
    }

    const launchTemplates = resources.aws_launch_template ?? {};
    const groups: Array<{ region: string; nodes: number; type: string }> = [];
    for (const [, group] of each('aws_eks_node_group')) {
      const scaling = group.scaling_config as { desired_size?: number } | undefined;
      const nodes = scaling?.desired_size ?? 0;
      // Priced at its first type (managed node groups launch on-demand by that priority); EKS's default is t3.medium.
      const type = (group.instance_types as string[] | undefined)?.[0] ?? 't3.medium';
      const capacity = (group.capacity_type as string | undefined) ?? 'ON_DEMAND';
      const name = String(group.node_group_name);
      const region = regionOf(group);
      groups.push({ region, nodes, type });
      priced(group, `node group ${name}`, (p) => {
        const hourly = p.ec2OnDemandHour[type];
        if (hourly === undefined) return `${type} has no ${region} price in the table`;
        const share = capacity === 'SPOT' ? assumptions.spotShareOfOnDemand : 1;
        const spot = capacity === 'SPOT' ? ` x ${assumptions.spotShareOfOnDemand} (spot)` : '';
        return { detail: `${nodes} x ${type} ${capacity} at ${usd(hourly)}/h${spot}`, monthly: nodes * hourly * share * hours };
      });
      const template = launchTemplates[referencedName((group.launch_template as { id?: string } | undefined)?.id, 'aws_launch_template') ?? ''] as Values | undefined;
      const disk = (template?.block_device_mappings as Array<{ ebs?: { volume_size?: number; volume_type?: string } }> | undefined)?.[0]?.ebs;
      if (disk?.volume_size && nodes > 0) {
        priced(group, `root volumes ${name}`, (p) =>
          disk.volume_type === 'gp3'
            ? { detail: `${nodes} x ${disk.volume_size} GB gp3 x ${usd(p.gp3GbMonth)}/GB-month`, monthly: nodes * disk.volume_size! * p.gp3GbMonth }
            : `volume type ${disk.volume_type} is not in the table`,
        );
      }
    }
    if (groups.length > 0) {
      const region = groups[0]!.region;
      const prices = REGION_PRICES[region];
      const specs = groups.map((group) => ({ ...group, spec: INSTANCE_SPECS[group.type], hourly: prices?.ec2OnDemandHour[group.type] }));
      if (prices && specs.every((group) => group.spec && group.hourly !== undefined)) {
        const nodes = specs.reduce((sum, group) => sum + group.nodes, 0);
        const vcpus = specs.reduce((sum, group) => sum + group.nodes * group.spec!.vcpus, 0);
        const memoryGib = specs.reduce((sum, group) => sum + group.nodes * group.spec!.memoryGib, 0);
        const onDemand = specs.reduce((sum, group) => sum + group.nodes * group.hourly!, 0) * hours;
        comparison.push({
          stack: stack.name,
          region,
          nodes,
          vcpus,
          memoryGib,
          ec2OnDemandUsd: cents(onDemand),
          karpenterSpotUsd: cents(onDemand * assumptions.spotShareOfOnDemand),
          fargateUsd: cents((vcpus * prices.fargateVcpuHour + memoryGib * prices.fargateGbHour) * hours),
        });
      }
    }

    for (const [, release] of each('helm_release')) {
      for (const pool of assetNodePools(stack, release)) {
        const cpu = pool.limits?.cpu ?? 0;
        const type = karpenterReferenceType(pool);
        const spot = spotAllowed(pool);
        priced(release, `${KARPENTER_ITEM} ${pool.name}`, (p) => {
          const hourly = p.ec2OnDemandHour[type];
          const spec = INSTANCE_SPECS[type];
          if (hourly === undefined || !spec) return `reference type ${type} has no ${regionOf(release)} price in the table`;
          const vcpus = cpu * assumptions.karpenterUtilisation;
          const share = spot ? assumptions.spotShareOfOnDemand : 1;
          return {
            detail: `assumed ${assumptions.karpenterUtilisation * 100}% of ${cpu} vCPUs = ${vcpus} vCPUs as ${type} at ${usd(hourly)}/h per ${spec.vcpus} vCPUs${spot ? ` x ${assumptions.spotShareOfOnDemand} (spot)` : ' (on-demand)'}`,
            monthly: (vcpus / spec.vcpus) * hourly * share * hours,
          };
        });
      }
      const values = ((release.values as string[] | undefined) ?? []).map((text) => parse(text) as Values | null);
      for (const document of values) {
        const apiserver = (document?.clustermesh as { apiserver?: { service?: { type?: string; annotations?: Record<string, string> } } } | undefined)?.apiserver?.service;
        if (apiserver?.type === 'LoadBalancer') {
          priced(release, 'clustermesh API server NLB', (p) => ({ detail: `1 x ${usd(p.nlbHour)}/h (LCUs not included)`, monthly: p.nlbHour * hours }));
        }
      }
    }
    for (const type of ['aws_lb', 'aws_alb']) {
      for (const [region, n] of byRegion(type)) {
        priced(region, 'load balancers', (p) => ({ detail: `${n} x ${usd(p.nlbHour)}/h (LCUs not included)`, monthly: n * p.nlbHour * hours }));
      }
    }

    for (const [region, n] of byRegion('aws_ec2_transit_gateway_vpc_attachment')) {
      priced(region, 'Transit Gateway VPC attachments', (p) => ({ detail: `${n} x ${usd(p.transitGatewayAttachmentHour)}/h`, monthly: n * p.transitGatewayAttachmentHour * hours }));
      priced(region, 'Transit Gateway data processing', (p) => ({
        detail: `assumed ${assumptions.transitGatewayGbPerAttachment} GB per VPC attachment x ${usd(p.transitGatewayGb)}/GB`,
        monthly: n * assumptions.transitGatewayGbPerAttachment * p.transitGatewayGb,
      }));
    }
    // A peering is billed as an attachment on both Transit Gateways: the requester and the accepter side.
    for (const type of ['aws_ec2_transit_gateway_peering_attachment', 'aws_ec2_transit_gateway_peering_attachment_accepter']) {
      const side = type.endsWith('accepter') ? 'accepter' : 'requester';
      for (const [region, n] of byRegion(type)) {
        priced(region, `Transit Gateway peering attachments (${side} side)`, (p) => ({
          detail: `${n} x ${usd(p.transitGatewayAttachmentHour)}/h`,
          monthly: n * p.transitGatewayAttachmentHour * hours,
        }));
      }
    }
    for (const [region, n] of byRegion('aws_kms_key')) {
      priced(region, 'KMS keys', (p) => ({ detail: `${plural(n, 'key')} x ${usd(p.kmsKeyMonth)}/month`, monthly: n * p.kmsKeyMonth }));
    }
    for (const [region, n] of byRegion('aws_secretsmanager_secret')) {
      priced(region, 'Secrets Manager secrets', (p) => ({ detail: `${n} x ${usd(p.secretMonth)}/month`, monthly: n * p.secretMonth }));
    }
    if (count('aws_route53_zone') > 0) {
      const n = count('aws_route53_zone');
      lines.push({ stack: stack.name, region: 'global', item: 'Route 53 hosted zones', detail: `${n} x ${usd(ROUTE53_HOSTED_ZONE_MONTH)}/month`, monthlyUsd: cents(n * ROUTE53_HOSTED_ZONE_MONTH) });
    }
    for (const [, group] of each('aws_cloudwatch_log_group')) {
      const retention = (group.retention_in_days as number | undefined) ?? 0;
      priced(group, `log group ${String(group.name)}`, (p) => {
        const gb = assumptions.logGbPerGroup;
        // At steady state the group holds retention / 30 months of data (never-expiring groups: one year).
        const stored = gb * ((retention || 365) / 30);
        return {
          detail: `assumed ${gb} GB/month ingested x ${usd(p.logsIngestedGb)}/GB, ${retention ? `kept ${retention} days` : 'never expiring (a year counted)'}: ${Number(stored.toFixed(2))} GB x ${usd(p.logsStoredGbMonth)}/GB-month`,
          monthly: gb * p.logsIngestedGb + stored * p.logsStoredGbMonth,
        };
      });
    }
  }

  const stackTotals = stacks.map((stack) => ({
    stack: stack.name,
    monthlyUsd: cents(lines.filter((line) => line.stack === stack.name).reduce((sum, line) => sum + line.monthlyUsd, 0)),
  }));
  return {
    environment,
    date,
    pricesAsOf: PRICES_AS_OF,
    sources: PRICE_SOURCES,
    assumptions,
    lines,
    unpriced,
    stacks: stackTotals,
    totalUsd: cents(lines.reduce((sum, line) => sum + line.monthlyUsd, 0)),
    karpenterUsd: cents(lines.filter((line) => line.item.startsWith(KARPENTER_ITEM)).reduce((sum, line) => sum + line.monthlyUsd, 0)),
    comparison,
    upgradeSavings,
    notIncluded: NOT_INCLUDED,
  };
}
