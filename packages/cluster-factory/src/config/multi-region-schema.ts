import { z } from 'zod';
import { ENVIRONMENT_RULES, environmentShape, type EnvironmentConfig } from './schema.js';
import { forEachValid, guardedView, runRules, type CrossFieldRule } from './rules.js';
import { cidrsOverlap, parseIpv4Cidr } from '../lib/cidr.js';
import { ciliumEnabledBy } from '../networking/decision.js';
import { helmValuesRefusals, helmValuesShape, mergeHelmValueOverrides } from './escape-hatches.js';

/**
 * A multi-region environment file: the settings every cluster shares, and per region its
 * zones, VPC CIDR and Cilium cluster id. One EKS cluster per region, joined by Cilium
 * Cluster Mesh.
 */

/** The Cilium chart fails for cluster ids 128-255 in ENI mode (cilium#21330). */
export const MAX_ENI_CLUSTER_ID = 127;
/** Cilium cluster names: at most 32 lowercase letters, digits and dashes. */
export const MAX_CILIUM_CLUSTER_NAME = 32;

const regionEntry = z.strictObject({
  region: environmentShape.shape.region,
  availability_zones: environmentShape.shape.availability_zones,
  vpc_cidr: environmentShape.shape.vpc_cidr,
  cluster_id: z
    .number()
    .int('must be a whole number')
    .min(1, `must be 1-${MAX_ENI_CLUSTER_ID} (0 is reserved)`)
    .max(MAX_ENI_CLUSTER_ID, `must be 1-${MAX_ENI_CLUSTER_ID}: the Cilium chart fails for cluster ids 128-255 in ENI mode (cilium#21330)`),
  pod_cidr: environmentShape.shape.cilium.unwrap().shape.pod_cidr.unwrap().optional().describe('overlay mode: this cluster\'s pod range (must be unique in the mesh).'),
  helm_values: helmValuesShape
    .optional()
    .describe("This cluster's Helm values per chart, deep-merged over the shared helm_values (and, like them, last over the platform's): the same checks apply."),
});

export const multiRegionShape = environmentShape.omit({ region: true, availability_zones: true, vpc_cidr: true }).extend({
  regions: z.array(regionEntry).min(2, 'a Cluster Mesh needs at least 2 regions'),
  cluster_mesh: z
    .strictObject({ enabled: z.boolean().default(true) })
    .default({ enabled: true })
    .describe('Cilium Cluster Mesh between the regional clusters.'),
});

export type MultiRegionConfig = z.output<typeof multiRegionShape>;
export type RegionEntry = MultiRegionConfig['regions'][number];

/** The EKS and Cilium cluster name of one region. */
export function regionalClusterName(config: Pick<MultiRegionConfig, 'name'>, region: string): string {
  return `${config.name}-${region}`;
}

/** One region's settings as a single-region environment config. */
export function regionalConfig(config: MultiRegionConfig, entry: RegionEntry): EnvironmentConfig {
  const { regions: _regions, cluster_mesh: _mesh, ...shared } = config;
  return {
    ...shared,
    region: entry.region,
    availability_zones: entry.availability_zones,
    vpc_cidr: entry.vpc_cidr,
    cilium: { ...shared.cilium, pod_cidr: entry.pod_cidr ?? shared.cilium.pod_cidr },
    helm_values: mergeHelmValueOverrides(shared.helm_values, entry.helm_values),
  };
}

const SINGLE_REGION_FIELDS = new Set(['region', 'availability_zones', 'vpc_cidr']);

/**
 * One region's settings as the single-region rules read them, field by field from the guarded
 * views of the file (src/config/rules.ts): a field with an error stops a rule where it is in the file.
 */
function regionalView(config: MultiRegionConfig, entry: RegionEntry): EnvironmentConfig {
  const cilium = new Proxy({} as EnvironmentConfig['cilium'], {
    get: (_target, key) => (key === 'pod_cidr' ? (entry.pod_cidr ?? config.cilium.pod_cidr) : Reflect.get(config.cilium, key)),
  });
  return new Proxy({} as EnvironmentConfig, {
    get: (_target, key) => {
      if (typeof key === 'string' && SINGLE_REGION_FIELDS.has(key)) return Reflect.get(entry, key);
      return key === 'cilium' ? cilium : Reflect.get(config, key);
    },
  });
}

type MultiRegionRule = CrossFieldRule<MultiRegionConfig>;

/** Rules of the mesh as a whole; each region also passes ENVIRONMENT_RULES. */
const MULTI_REGION_RULES: readonly MultiRegionRule[] = [
  {
    checks: "each regional cluster name fits Cilium's limit",
    check: (config, refuse) => {
      const tooLong = config.regions.map((entry) => regionalClusterName(config, entry.region)).find((name) => name.length > MAX_CILIUM_CLUSTER_NAME);
      if (tooLong) refuse(['name'], `the cluster name "${tooLong}" is longer than ${MAX_CILIUM_CLUSTER_NAME} characters (Cilium's limit); use a shorter name`);
    },
  },
  {
    checks: 'regions are listed once',
    check: (config, refuse) => {
      const seen = new Map<string, number>();
      forEachValid(config.regions, (entry, index) => {
        const first = seen.get(entry.region);
        if (first !== undefined) refuse(['regions', index, 'region'], `${entry.region} is already regions[${first}]: one cluster per region`);
        seen.set(entry.region, index);
      });
    },
  },
  {
    checks: 'cluster ids are unique',
    check: (config, refuse) => {
      const seen = new Map<number, number>();
      forEachValid(config.regions, (entry, index) => {
        const first = seen.get(entry.cluster_id);
        if (first !== undefined) refuse(['regions', index, 'cluster_id'], `${entry.cluster_id} is already used by regions[${first}] (${config.regions[first]!.region}): cluster ids must be unique in the mesh`);
        seen.set(entry.cluster_id, index);
      });
    },
  },
  {
    checks: 'each region has its own pod_cidr in overlay mode',
    check: (config, refuse) => {
      if (config.cilium_mode !== 'overlay' || !config.cluster_mesh.enabled) return;
      forEachValid(config.regions, (entry, index) => {
        if (!entry.pod_cidr) refuse(['regions', index], 'needs pod_cidr in overlay mode: each cluster of a Cluster Mesh needs its own pod range');
      });
    },
  },
  {
    checks: "each region's helm_values are values of the pinned charts that no config field decides",
    check: (config, refuse) => {
      forEachValid(config.regions, (entry, index) => {
        if (entry.helm_values) helmValuesRefusals(config, entry.helm_values, ['regions', index, 'helm_values'], refuse);
      });
    },
  },
  {
    checks: 'cluster_mesh needs Cilium',
    check: (config, refuse) => {
      if (config.cluster_mesh.enabled && !ciliumEnabledBy(config)) refuse(['cluster_mesh', 'enabled'], 'needs Cilium (enable_cilium: true, enable_fargate: false)');
    },
  },
  {
    checks: 'address ranges of the mesh do not overlap',
    check: (config, refuse) => {
      // VPCs, and pod pools in overlay mode.
      const ranges: Array<{ path: (string | number)[]; label: string; cidr: string }> = [];
      const overlay = config.cilium_mode === 'overlay';
      forEachValid(config.regions, (entry, index) => {
        ranges.push({ path: ['regions', index, 'vpc_cidr'], label: `regions[${index}].vpc_cidr`, cidr: entry.vpc_cidr });
        if (overlay && entry.pod_cidr) ranges.push({ path: ['regions', index, 'pod_cidr'], label: `regions[${index}].pod_cidr`, cidr: entry.pod_cidr });
      });
      ranges.forEach((a, i) => {
        for (const b of ranges.slice(0, i)) {
          if (!parseIpv4Cidr(a.cidr) || !parseIpv4Cidr(b.cidr)) continue;
          if (cidrsOverlap(a.cidr, b.cidr)) refuse(a.path, `${a.cidr} overlaps ${b.label} ${b.cidr}: address ranges in a Cluster Mesh must not overlap`);
        }
      });
    },
  },
];

export const multiRegionSchema = multiRegionShape.check(
  z.superRefine<MultiRegionConfig>(
    (value, ctx) => {
      const issues = ctx.issues.slice();
      const view = () => guardedView<MultiRegionConfig>(value, issues);
      runRules(view, MULTI_REGION_RULES, ctx);

      // Every region passes the single-region rules; shared-field findings are reported once.
      const reported = new Set<string>();
      const once = {
        addIssue: (issue: { path?: PropertyKey[]; message?: string }) => {
          const key = JSON.stringify([issue.path, issue.message]);
          if (!reported.has(key)) {
            reported.add(key);
            ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
          }
        },
      } as Pick<z.RefinementCtx, 'addIssue'>;
      const regions = value !== null && typeof value === 'object' ? (value as { regions?: unknown }).regions : undefined;
      (Array.isArray(regions) ? regions : []).forEach((entry: { pod_cidr?: unknown } | null, index) => {
        // A region that is not a mapping has its own error, and nothing in it to check.
        if (entry === null || typeof entry !== 'object') return;
        const at = (path: (string | number)[]): (string | number)[] => {
          if (SINGLE_REGION_FIELDS.has(String(path[0]))) return ['regions', index, ...path];
          if (path[0] === 'cilium' && path[1] === 'pod_cidr' && entry.pod_cidr) return ['regions', index, 'pod_cidr'];
          return path;
        };
        runRules(() => regionalView(view(), view().regions[index]!), ENVIRONMENT_RULES, once, at);
      });
    },
    { when: () => true },
  ),
);
