import { z } from 'zod';
import { environmentShape, refineEnvironment, type EnvironmentConfig } from './schema.js';
import { cidrsOverlap, parseIpv4Cidr } from '../lib/cidr.js';
import { networkingOf } from '../networking/decision.js';

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
  };
}

const SINGLE_REGION_FIELDS = new Set(['region', 'availability_zones', 'vpc_cidr']);

export const multiRegionSchema = multiRegionShape.superRefine((config, ctx) => {
  const refuse = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

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
  } as unknown as z.RefinementCtx;
  config.regions.forEach((entry, index) => {
    const at = (path: (string | number)[]): (string | number)[] => {
      if (SINGLE_REGION_FIELDS.has(String(path[0]))) return ['regions', index, ...path];
      if (path[0] === 'cilium' && path[1] === 'pod_cidr' && entry.pod_cidr) return ['regions', index, 'pod_cidr'];
      return path;
    };
    refineEnvironment(regionalConfig(config, entry), once, at);
  });

  const seenRegions = new Map<string, number>();
  const seenIds = new Map<number, number>();
  const tooLong = config.regions.map((entry) => regionalClusterName(config, entry.region)).find((name) => name.length > MAX_CILIUM_CLUSTER_NAME);
  if (tooLong) refuse(['name'], `the cluster name "${tooLong}" is longer than ${MAX_CILIUM_CLUSTER_NAME} characters (Cilium's limit); use a shorter name`);
  config.regions.forEach((entry, index) => {
    const region = seenRegions.get(entry.region);
    if (region !== undefined) refuse(['regions', index, 'region'], `${entry.region} is already regions[${region}]: one cluster per region`);
    seenRegions.set(entry.region, index);
    const id = seenIds.get(entry.cluster_id);
    if (id !== undefined) refuse(['regions', index, 'cluster_id'], `${entry.cluster_id} is already used by regions[${id}] (${config.regions[id]!.region}): cluster ids must be unique in the mesh`);
    seenIds.set(entry.cluster_id, index);
    if (config.cilium_mode === 'overlay' && config.cluster_mesh.enabled && !entry.pod_cidr) {
      refuse(['regions', index], 'needs pod_cidr in overlay mode: each cluster of a Cluster Mesh needs its own pod range');
    }
  });

  const networking = networkingOf(config);
  if (config.cluster_mesh.enabled && !networking.ciliumEnabled) {
    refuse(['cluster_mesh', 'enabled'], 'needs Cilium (enable_cilium: true, enable_fargate: false)');
  }

  // No two address ranges of the mesh may overlap: VPCs, and pod pools in overlay mode.
  const ranges: Array<{ path: (string | number)[]; label: string; cidr: string }> = [];
  config.regions.forEach((entry, index) => {
    ranges.push({ path: ['regions', index, 'vpc_cidr'], label: `regions[${index}].vpc_cidr`, cidr: entry.vpc_cidr });
    if (config.cilium_mode === 'overlay' && entry.pod_cidr) {
      ranges.push({ path: ['regions', index, 'pod_cidr'], label: `regions[${index}].pod_cidr`, cidr: entry.pod_cidr });
    }
  });
  ranges.forEach((a, i) => {
    for (const b of ranges.slice(0, i)) {
      if (!parseIpv4Cidr(a.cidr) || !parseIpv4Cidr(b.cidr)) continue;
      if (cidrsOverlap(a.cidr, b.cidr)) refuse(a.path, `${a.cidr} overlaps ${b.label} ${b.cidr}: address ranges in a Cluster Mesh must not overlap`);
    }
  });
});
