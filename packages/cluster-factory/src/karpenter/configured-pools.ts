import type { EnvironmentConfig } from '../config/schema.js';
import { DEFAULT_GENERAL_POOL, type NodePoolSettings } from '../features/karpenter/config.js';
import type { KarpenterPool } from './node-pools.js';

type KarpenterConfig = EnvironmentConfig['karpenter'];
/** The settings of one pool as the config holds them. */
export type PoolSettings = NodePoolSettings;

/** One NodePool of a config: where it is written, its name and settings. */
export interface ConfiguredPool {
  /** Its place in the file: `['karpenter', 'general']`, `['karpenter', 'node_pools', 2]`. */
  readonly path: ReadonlyArray<string | number>;
  readonly name: string;
  /** An NVIDIA GPU pool (karpenter.gpu, or an entry with gpu: true). */
  readonly gpu: boolean;
  readonly settings: PoolSettings;
}

/** The names of the default entries, karpenter.general and karpenter.gpu. */
export const BUILT_IN_POOL_NAMES = ['general', 'gpu'] as const;

/** `karpenter.general`, `karpenter.node_pools[2]`: how messages name a pool's place. */
export function poolLabel(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/**
 * A default entry of the pool list, or undefined when there is none: karpenter.general or
 * karpenter.gpu as written unless `enabled: false`; general left out is its defaults, unless a
 * node_pools entry of its name replaces it (`listNames`: the names of karpenter.node_pools).
 * A file that writes the key and a node_pools entry of its name is refused (rules.ts).
 */
export function defaultPool(karpenter: Pick<KarpenterConfig, 'general' | 'gpu'>, name: (typeof BUILT_IN_POOL_NAMES)[number], listNames: ReadonlySet<string>): ConfiguredPool | undefined {
  const settings = karpenter[name];
  const path = ['karpenter', name];
  if (settings) return settings.enabled ? { path, name, gpu: name === 'gpu', settings } : undefined;
  return name === 'general' && !listNames.has(name) ? { path, name, gpu: false, settings: DEFAULT_GENERAL_POOL } : undefined;
}

/**
 * The pool list, in NodePool order: karpenter.general (unless removed or replaced),
 * karpenter.gpu (when set and not removed), then karpenter.node_pools, replacements where they are written.
 */
export function configuredPools(karpenter: KarpenterConfig): ConfiguredPool[] {
  const listNames = new Set(karpenter.node_pools.map((pool) => pool.name));
  const pools = BUILT_IN_POOL_NAMES.flatMap((name) => defaultPool(karpenter, name, listNames) ?? []);
  karpenter.node_pools.forEach((pool, index) => pools.push({ path: ['karpenter', 'node_pools', index], name: pool.name, gpu: pool.gpu, settings: pool }));
  return pools;
}

/** The KarpenterPool the plan hands to the NodePool, the IP budget and the EC2NodeClass's maxPods. */
export function karpenterPoolOf(pool: Pick<ConfiguredPool, 'name' | 'gpu' | 'settings'> & { readonly path?: ConfiguredPool['path'] }): KarpenterPool {
  const settings = pool.settings;
  return {
    name: pool.name,
    // node_pools entries are named by place and name; karpenter.general and karpenter.gpu by their key, as before.
    ...(pool.path && pool.path.length > 2 ? { source: `${poolLabel(pool.path)} (${pool.name})` } : {}),
    capacityTypes: settings.capacity_types,
    instanceCategories: settings.instance_categories,
    instanceFamilies: settings.instance_families,
    architectures: settings.architectures,
    cpuLimit: settings.cpu_limit,
    memoryLimitGib: settings.memory_limit_gib,
    consolidationPolicy: settings.consolidation_policy,
    consolidateAfter: settings.consolidate_after,
    gpu: pool.gpu,
    ...(settings.requirements ? { requirements: settings.requirements.map(({ key, operator, values, min_values }) => ({ key, operator, values, ...(min_values === undefined ? {} : { minValues: min_values }) })) } : {}),
    ...(settings.taints ? { taints: settings.taints.map(({ key, value, effect }) => ({ key, ...(value === undefined ? {} : { value }), effect })) } : {}),
    ...(settings.labels ? { labels: settings.labels } : {}),
    ...(settings.weight === undefined ? {} : { weight: settings.weight }),
    ...(settings.disruption_budgets ? { disruptionBudgets: settings.disruption_budgets } : {}),
  };
}
