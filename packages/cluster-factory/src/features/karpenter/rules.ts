import { INSTANCE_ARCHITECTURES, INSTANCE_TABLE, familiesInCategories, familyCategoryAndGeneration, familyTraits } from '../../capacity/instance-types.js';
import { quoted } from '../../config/messages.js';
import { forEachValid } from '../../config/rules.js';
import { CILIUM_STARTUP_TAINT } from '../../constructs/managed-node-group.js';
import { BUILT_IN_POOL_NAMES, defaultPool, karpenterPoolOf, poolLabel, type ConfiguredPool } from '../../karpenter/configured-pools.js';
import { NODE_POOL_LABEL, karpenterNodePool, karpenterPoolRequirements, type KarpenterPool } from '../../karpenter/node-pools.js';
import { NODE_POOL_CRD, crdRuleFindings } from '../../kubernetes/crd-schema.js';
import { PINNED_AMI_ALIAS } from '../../lifecycle/components-in-use.js';
import { ciliumEnabledBy } from '../../networking/decision.js';
import type { FeatureRule } from '../feature.js';
import type { KarpenterSettings } from './config.js';

/**
 * Karpenter's cross-field rules: every pool's families, architectures, requirement keys and
 * labels, the pinned NodePool CRD's CEL rules, and the AMI alias of a protected environment.
 * Each is placed (`after`) where it ran before Karpenter became a module, so a file with several
 * errors gets its messages in the same order.
 */

/** The fields of a config the rules read. */
export interface KarpenterRuleConfig {
  readonly karpenter: KarpenterSettings;
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly cilium_mode: 'eni' | 'overlay';
  readonly protect_stateful_resources: boolean;
}

/** The names of karpenter.node_pools, leaving out an entry whose name has an error of its own. */
function listNames(env: KarpenterRuleConfig): Set<string> {
  const names = new Set<string>();
  forEachValid(env.karpenter.node_pools, (pool) => names.add(pool.name));
  return names;
}

/**
 * Runs a check on every pool the config synthesizes, each on its own: a node_pools entry whose
 * check reads a field with an error of its own is skipped (that error says it); a default entry
 * (karpenter.general, karpenter.gpu) stopped that way is reported as not checked once the others ran.
 */
function forEachPool(env: KarpenterRuleConfig, check: (pool: ConfiguredPool) => void): void {
  let stopped: unknown;
  const names = listNames(env);
  for (const name of BUILT_IN_POOL_NAMES) {
    try {
      // Only the pool's own key is read: an error in another karpenter field stops nothing here.
      const pool = defaultPool(env.karpenter, name, names);
      if (pool) check(pool);
    } catch (error) {
      stopped ??= error;
    }
  }
  forEachValid(env.karpenter.node_pools, (settings, index) => check({ path: ['karpenter', 'node_pools', index], name: settings.name, gpu: settings.gpu, settings }));
  if (stopped !== undefined) throw stopped;
}

/** How messages send a GPU family out of a pool without gpu. */
const gpuFamiliesGo = (pool: ConfiguredPool) =>
  pool.path.length === 2 ? 'GPU families go in karpenter.gpu (tainted nvidia.com/gpu)' : 'set gpu: true on this pool (tainted nvidia.com/gpu) or use karpenter.gpu';

/**
 * A pool's instance families and categories: in the instance table, generation 5 or later, of
 * the pool's architectures; GPU and Neuron families never in a pool without gpu (they would run
 * untainted), only NVIDIA ones in a GPU pool (karpenter.gpu, node_pools entries with gpu: true).
 */
const KARPENTER_POOL_FAMILIES_RULE: FeatureRule<KarpenterRuleConfig> = {
  checks: 'karpenter pool instance families and categories are in the instance table, of its architectures, accelerated ones in GPU pools only',
  check: (env, refuse) => {
    forEachPool(env, (pool) => {
      const settings = pool.settings;
      const label = poolLabel(pool.path);
      const at = (...path: (string | number)[]) => [...pool.path, ...path];
      const gpuPool = pool.path.length === 2 ? 'karpenter.gpu launches' : 'a pool with gpu: true launches';
      if (pool.gpu && settings.instance_families.length === 0) refuse(at('instance_families'), 'must list NVIDIA GPU families (such as [g5, g6]) when gpu is true');
      forEachValid(settings.instance_families, (family, index) => {
        const traits = familyTraits(family);
        if (!traits) {
          refuse(at('instance_families', index), `"${family}" is not in the instance table (${INSTANCE_TABLE})`);
        } else if (!pool.gpu && traits.accelerator !== 'none') {
          refuse(at('instance_families', index), `"${family}" has ${traits.accelerator === 'nvidia' ? `NVIDIA GPUs: ${gpuFamiliesGo(pool)}` : 'AWS Neuron accelerators: use a managed node group (tainted aws.amazon.com/neuron)'}`);
        } else if (pool.gpu && traits.accelerator !== 'nvidia') {
          refuse(at('instance_families', index), `"${family}" has no NVIDIA GPU; ${gpuPool} NVIDIA GPU families only`);
        } else if (familyCategoryAndGeneration(family).generation <= 4) {
          refuse(at('instance_families', index), `"${family}" is generation 4 or older; Karpenter pools launch generation 5 and later`);
        } else if (!settings.architectures.includes(traits.arch)) {
          refuse(at('instance_families', index), `"${family}" is ${traits.arch}, not in ${label}.architectures (${settings.architectures.join(', ')}); add ${traits.arch} there`);
        }
      });
      forEachValid(settings.instance_categories, (category, index) => {
        const families = familiesInCategories([category], INSTANCE_ARCHITECTURES);
        if (families.length === 0) {
          refuse(at('instance_categories', index), `"${category}" has no family in the instance table (${INSTANCE_TABLE})`);
        } else if (!pool.gpu && settings.instance_families.length === 0 && families.some((family) => familyTraits(family)!.accelerator !== 'none')) {
          refuse(at('instance_categories', index), `"${category}" holds GPU or Neuron families (${families.join(', ')}): ${gpuFamiliesGo(pool)}, Neuron types in a managed node group`);
        }
      });
    });
  },
};

/** Every architecture of a pool admits a family of the table, or the pool says more than it launches. */
const KARPENTER_POOL_ARCHITECTURES_RULE: FeatureRule<KarpenterRuleConfig> = {
  checks: 'karpenter pool architectures each admit a family of the pool',
  check: (env, refuse) => {
    forEachPool(env, (pool) => {
      const { instance_families: families, instance_categories: categories } = pool.settings;
      // Unknown families and categories are refused by the families rule; judged without them, every architecture would look empty.
      if (!families.every((family) => familyTraits(family)) || (families.length === 0 && !categories.every((category) => familiesInCategories([category], INSTANCE_ARCHITECTURES).length > 0))) return;
      if (pool.gpu && families.length === 0) return;
      const from = families.length > 0 ? `instance_families (${families.join(', ')})` : `instance_categories (${categories.join(', ')})`;
      forEachValid(pool.settings.architectures, (arch, index) => {
        const admitted = families.length > 0 ? families.filter((family) => familyTraits(family)!.arch === arch) : familiesInCategories(categories, [arch]);
        if (admitted.length === 0) refuse([...pool.path, 'architectures', index], `${arch} admits no family of ${from} in the instance table; remove it or add a family of that architecture`);
      });
    });
  },
};

/** Requirement keys the platform writes from a pool's fields, and what to use instead: a requirement on one would contradict or bypass them. */
const REQUIREMENT_KEYS_OF_FIELDS: Readonly<Record<string, string>> = {
  'karpenter.sh/capacity-type': "is set by the pool's field capacity_types; use that field",
  'kubernetes.io/arch': "is set by the pool's field architectures; use that field",
  'karpenter.k8s.aws/instance-family': "is set by the pool's field instance_families; use that field",
  'karpenter.k8s.aws/instance-category': "is set by the pool's field instance_categories; use that field",
  'kubernetes.io/os': 'is set by the platform: every pool runs AL2023 Linux (kubernetes.io/os In [linux])',
};

/** Requirement keys and values, labels and names of the pools, as far as the NodePool CRD leaves them to the project. */
const KARPENTER_POOL_FIELDS_RULE: FeatureRule<KarpenterRuleConfig> = {
  checks: 'karpenter pool names, requirements and labels',
  check: (env, refuse) => {
    const names = new Map<string, string>();
    forEachPool(env, (pool) => {
      const settings = pool.settings;
      const at = (...path: (string | number)[]) => [...pool.path, ...path];
      if (pool.path.length === 3 && names.has(pool.name)) refuse(at('name'), `${quoted(pool.name)} is used twice (also ${names.get(pool.name)}): NodePool names are unique`);
      // A list entry named like a default entry the file also configures is refused by the default-pools rule.
      if (pool.path.length === 3 && !names.has(pool.name)) names.set(pool.name, poolLabel(pool.path));
      forEachValid(settings.requirements ?? [], (requirement, index) => {
        const owned = REQUIREMENT_KEYS_OF_FIELDS[requirement.key];
        if (owned) refuse(at('requirements', index, 'key'), `${quoted(requirement.key)} ${owned}`);
        const { operator, values } = requirement;
        if (['Gt', 'Lt', 'Gte', 'Lte'].includes(operator) && !(values.length === 1 && /^\d+$/.test(values[0]!))) {
          refuse(at('requirements', index, 'values'), `must be one non-negative integer with operator ${operator}, such as ["4"]`);
        }
        if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) refuse(at('requirements', index, 'values'), `must be empty with operator ${operator}`);
      });
      if (settings.labels && NODE_POOL_LABEL in settings.labels) refuse(at('labels', NODE_POOL_LABEL), `is set by the platform to the pool's name (${quoted(pool.name)})`);
      forEachValid(settings.taints ?? [], (taint, index) => {
        // Cilium removes its taint once the agent runs: as a pool taint Karpenter would count on it staying.
        if (taint.key === CILIUM_STARTUP_TAINT.key) refuse(at('taints', index, 'key'), `${quoted(taint.key)} is the startup taint the platform sets on every pool whenever Cilium runs; Cilium removes it once its agent is ready`);
      });
    });
  },
};

/** Requirement keys that select GPU instances (Karpenter's well-known labels, v1.14.1 pkg/apis/v1/labels.go). */
const GPU_REQUIREMENT_KEYS = ['karpenter.k8s.aws/instance-gpu-count', 'karpenter.k8s.aws/instance-gpu-name', 'karpenter.k8s.aws/instance-gpu-manufacturer', 'karpenter.k8s.aws/instance-gpu-memory'];
/** Requirement keys that select AWS Neuron instances (Inferentia, Trainium: the accelerator labels of the same file). */
const NEURON_REQUIREMENT_KEYS = ['karpenter.k8s.aws/instance-accelerator-count', 'karpenter.k8s.aws/instance-accelerator-name', 'karpenter.k8s.aws/instance-accelerator-manufacturer'];

/** Whether a requirement on one of `keys` admits only instances that have it: In, Exists, and Gt/Gte of at least one. */
const asksFor = (keys: readonly string[], requirement: { readonly key: string; readonly operator: string; readonly values: readonly string[] }) =>
  keys.includes(requirement.key) &&
  (['In', 'Exists'].includes(requirement.operator) || (['Gt', 'Gte'].includes(requirement.operator) && requirement.values.every((value) => Number(value) >= (requirement.operator === 'Gt' ? 0 : 1))));

/**
 * The default entries of the pool list: one is replaced by a node_pools entry of its name only
 * when the file does not configure it too; general stays an untainted pool and gpu a GPU one
 * under their names; a requirement that asks for GPUs needs a GPU pool, one that asks for Neuron
 * accelerators a node group; and Karpenter on leaves at least one pool.
 */
const KARPENTER_DEFAULT_POOLS_RULE: FeatureRule<KarpenterRuleConfig> = {
  checks: 'karpenter default pools are removed or replaced explicitly, GPU requests are in GPU pools, and at least one pool is left',
  check: (env, refuse) => {
    forEachValid(env.karpenter.node_pools, (entry, index) => {
      const at = (field: string) => ['karpenter', 'node_pools', index, field];
      if (!(BUILT_IN_POOL_NAMES as readonly string[]).includes(entry.name)) return;
      const name = entry.name as (typeof BUILT_IN_POOL_NAMES)[number];
      const written = env.karpenter[name];
      if (written?.enabled) {
        refuse(at('name'), `${quoted(name)} replaces the default pool karpenter.${name}, which this file also configures: move its settings into this entry and remove karpenter.${name} (or set karpenter.${name}.enabled: false), or choose another name`);
      } else if (name === 'gpu' && !entry.gpu) {
        refuse(at('name'), '"gpu" names the GPU pool (its nodes labelled platform/node-pool=gpu): an entry of that name replaces karpenter.gpu and needs gpu: true (NVIDIA families, tainted nvidia.com/gpu); or choose another name');
      } else if (name === 'general' && entry.gpu) {
        refuse(at('gpu'), 'must be false on the entry named "general": it replaces the general pool, whose nodes run untainted workloads; give the GPU pool another name');
      }
    });
    forEachPool(env, (pool) => {
      forEachValid(pool.settings.requirements ?? [], (requirement, index) => {
        const at = [...pool.path, 'requirements', index, 'key'];
        if (!pool.gpu && asksFor(GPU_REQUIREMENT_KEYS, requirement)) {
          refuse(at, `${quoted(requirement.key)} with ${requirement.operator} asks for GPU instances, which ${poolLabel(pool.path)} never launches (no gpu: true, no GPU families): put it in a GPU pool (karpenter.gpu or an entry with gpu: true)`);
        } else if (asksFor(NEURON_REQUIREMENT_KEYS, requirement)) {
          refuse(at, `${quoted(requirement.key)} with ${requirement.operator} asks for AWS Neuron instances (Inferentia, Trainium), which no Karpenter pool launches: run them in a managed node group (tainted aws.amazon.com/neuron)`);
        }
      });
    });
    if (env.karpenter.enabled && env.karpenter.node_pools.length === 0 && BUILT_IN_POOL_NAMES.every((name) => !defaultPool(env.karpenter, name, new Set()))) {
      refuse(['karpenter', 'general', 'enabled'], 'false leaves no NodePool while karpenter.enabled is true: add an entry to karpenter.node_pools, keep general, or set karpenter.enabled: false');
    }
  },
};

/**
 * Every pool's NodePool, rendered as synth would, against the CEL rules (x-kubernetes-validations)
 * of the pinned NodePool CRD: a broken rule is refused here, at the config field it comes from,
 * with the rule's own message. Rules that cannot be evaluated are reported at synth (karpenter-addon.ts).
 */
const KARPENTER_POOL_CEL_RULE: FeatureRule<KarpenterRuleConfig> = {
  checks: 'karpenter pools hold the CEL rules of the pinned NodePool CRD',
  check: (env, refuse) => {
    if (!env.karpenter.enabled) return;
    const datapath = celDatapath(env);
    forEachPool(env, (pool) => {
      const probe = celProbePool(pool);
      const platformOnly: KarpenterPool = { ...probe, requirements: [], labels: undefined, taints: undefined, weight: undefined, disruptionBudgets: undefined };
      const ownRequirements = karpenterPoolRequirements(platformOnly, datapath).length;
      // What the platform's own part breaks is refused by the rules above, or at synth by the chart's check.
      const ofThePlatform = new Set(crdRuleFindings(karpenterNodePool(platformOnly, datapath))!.violations);
      for (const violation of crdRuleFindings(karpenterNodePool(probe, datapath))!.violations) {
        const field = celViolationField(violation, ownRequirements);
        if (field === undefined || ofThePlatform.has(violation)) continue;
        refuse([...pool.path, ...field], `NodePool ${quoted(pool.name)} breaks a CEL rule of the pinned NodePool CRD (${NODE_POOL_CRD}): ${violation}`);
      }
    });
  },
};

/**
 * The datapath pools are rendered with, so that a message's CRD path is the synthesized one. The
 * rules judge the pool's own fields, which the datapath does not change: when a datapath field
 * is invalid (refused on its own), overlay's stands in.
 */
function celDatapath(env: KarpenterRuleConfig): { ciliumEnabled: boolean; ciliumEni: boolean } {
  try {
    const ciliumEnabled = ciliumEnabledBy(env);
    return { ciliumEnabled, ciliumEni: ciliumEnabled && env.cilium_mode === 'eni' };
  } catch {
    return { ciliumEnabled: true, ciliumEni: false };
  }
}

/**
 * A pool's NodePool as far as the CRD's CEL rules concern it: its name and the fields the user
 * writes freely (requirements, labels, taints, budgets, weight), the rest fixed and valid, so
 * that an error in another field (a duration, an unknown family) does not keep this check from running.
 */
function celProbePool(pool: ConfiguredPool): KarpenterPool {
  const { requirements, taints, labels, weight, disruption_budgets } = pool.settings;
  return karpenterPoolOf({
    name: pool.name,
    gpu: pool.gpu,
    settings: {
      capacity_types: ['on-demand'],
      instance_categories: ['m'],
      instance_families: [],
      architectures: ['amd64'],
      cpu_limit: 1,
      memory_limit_gib: 1,
      consolidation_policy: 'WhenEmpty',
      consolidate_after: '1m',
      requirements,
      taints,
      labels,
      weight,
      disruption_budgets,
    },
  });
}

/** The config field a CEL violation of a rendered NodePool comes from, or undefined for one of the platform's own requirements. */
function celViolationField(violation: string, ownRequirements: number): Array<string | number> | undefined {
  const requirement = /^spec\.template\.spec\.requirements\[(\d+)\]/.exec(violation);
  if (requirement) return Number(requirement[1]) >= ownRequirements ? ['requirements', Number(requirement[1]) - ownRequirements] : undefined;
  const fields: ReadonlyArray<readonly [string, string]> = [
    ['spec.template.spec.requirements', 'requirements'],
    ['spec.template.metadata.labels', 'labels'],
    ['spec.template.spec.taints', 'taints'],
    ['spec.disruption.budgets', 'disruption_budgets'],
    ['spec.weight', 'weight'],
  ];
  const field = fields.find(([prefix]) => violation.startsWith(prefix));
  return field ? [field[1]] : [];
}

/** The node group rule the pool rules follow. */
const AFTER_NODE_GROUP_RULES = 'node_groups instance types share one architecture and one accelerator (one AMI type)';

/** Karpenter's rules, each where it ran in the environment's rule list before it became a module. */
export const KARPENTER_RULES: readonly FeatureRule<KarpenterRuleConfig>[] = [
  { ...KARPENTER_POOL_FAMILIES_RULE, after: AFTER_NODE_GROUP_RULES },
  { ...KARPENTER_POOL_ARCHITECTURES_RULE, after: AFTER_NODE_GROUP_RULES },
  { ...KARPENTER_POOL_FIELDS_RULE, after: AFTER_NODE_GROUP_RULES },
  { ...KARPENTER_DEFAULT_POOLS_RULE, after: AFTER_NODE_GROUP_RULES },
  { ...KARPENTER_POOL_CEL_RULE, after: AFTER_NODE_GROUP_RULES },
  {
    checks: 'karpenter.ami_alias is a pinned release in a protected environment',
    after: 'upgrade_policy.support_type is stated in a protected environment',
    check: (env, refuse) => {
      if (env.protect_stateful_resources && env.karpenter.enabled && env.karpenter.ami_alias === 'al2023@latest') {
        refuse(['karpenter', 'ami_alias'], `al2023@latest is refused in a protected environment: every AMI release would roll every Karpenter node; pin a release such as ${PINNED_AMI_ALIAS} (docs/UPGRADES.md)`);
      }
    },
  },
];
