import { z } from 'zod';
import { NAME } from '../../config/patterns.js';
import { INSTANCE_ARCHITECTURES } from '../../capacity/instance-types.js';
import { NODE_POOL_LABEL, NODE_POOL_OPERATORS } from '../../karpenter/node-pools.js';
import { PINNED_AMI_ALIAS } from '../../lifecycle/components-in-use.js';

/**
 * The `karpenter` key of an environment file: the EC2NodeClass's AMI alias and the NodePools
 * (karpenter.general, karpenter.gpu, karpenter.node_pools). general and gpu are the list's default
 * entries: `enabled: false` removes one, a node_pools entry of its name replaces it. Its
 * cross-field rules are rules.ts.
 */

/** A label or taint key, as Kubernetes (and the NodePool CRD) accepts it: an optional DNS prefix and a name. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_KEY_MESSAGE = 'must be a Kubernetes label key such as example.com/team or team (an optional DNS prefix and "/", then letters, digits, "-", "_" or ".")';
/** A label or requirement value (the NodePool CRD's pattern, at most 63 characters). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MESSAGE = 'must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
const labelValue = z.string().max(63, LABEL_VALUE_MESSAGE).regex(LABEL_VALUE, LABEL_VALUE_MESSAGE);

/** The NodePool CRD's patterns of a disruption budget (karpenter.sh/v1, v1.14.1). */
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
const BUDGET_SCHEDULE = /^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+))$/;
const BUDGET_DURATION = /^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/;

const nodePoolRequirement = z.strictObject({
  key: z.string().max(316).regex(LABEL_KEY, LABEL_KEY_MESSAGE).describe('A node label, e.g. karpenter.k8s.aws/instance-cpu or topology.kubernetes.io/zone. Keys the pool\'s own fields set are refused (use those fields).'),
  operator: z.enum(NODE_POOL_OPERATORS).describe('In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte or Lte (the NodePool CRD of the pinned Karpenter).'),
  values: z.array(labelValue).default([]).describe('In and NotIn: the values; Gt, Lt, Gte, Lte: one non-negative integer; Exists, DoesNotExist: none.'),
  min_values: z.number().int().min(1).max(50).optional().describe('At least this many distinct values of the key among the instance types Karpenter considers (minValues).'),
});

const nodePoolTaint = z.strictObject({
  key: z.string().max(316).regex(LABEL_KEY, LABEL_KEY_MESSAGE),
  value: labelValue.min(1, LABEL_VALUE_MESSAGE).optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const disruptionBudget = z.strictObject({
  nodes: z.string().regex(BUDGET_NODES, 'must be a number of nodes such as 5 or a percentage such as 10%').default('10%'),
  schedule: z.string().regex(BUDGET_SCHEDULE, 'must be a cron schedule of five fields such as "0 9 * * mon-fri" or a macro such as @daily').optional(),
  duration: z.string().regex(BUDGET_DURATION, 'must be hours and minutes such as 8h, 30m or 1h30m').optional(),
  reasons: z.array(z.enum(['Underutilized', 'Empty', 'Drifted'])).optional().describe('The disruptions the budget limits. Default: all.'),
});

/** The settings of one NodePool (karpenter.general, karpenter.gpu and every entry of karpenter.node_pools). */
const nodePoolSettings = z.strictObject({
  capacity_types: z.array(z.enum(['spot', 'on-demand'])).min(1).default(['spot', 'on-demand']),
  instance_categories: z.array(z.string().regex(/^[a-z]$/, 'must be one letter, e.g. m')).default(['c', 'm', 'r']),
  instance_families: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be an instance family such as g5')).default([]),
  architectures: z
    .array(z.enum(INSTANCE_ARCHITECTURES))
    .min(1)
    .default(['amd64'])
    .describe('CPU architectures the pool may launch: amd64 (x86_64), arm64 (Graviton). The AL2023 AMI alias serves both.'),
  cpu_limit: z.number().int().min(1).default(100).describe('Most vCPUs the pool may run in total.'),
  memory_limit_gib: z.number().int().min(1).default(400),
  consolidation_policy: z.enum(['WhenEmpty', 'WhenEmptyOrUnderutilized']).default('WhenEmptyOrUnderutilized'),
  consolidate_after: z
    .string()
    .regex(/^(([0-9]+(s|m|h))+|Never)$/, 'must be a duration such as 30s, 5m or 1h30m, or Never')
    .default('1m')
    .describe('How long a node stays empty or underutilized before Karpenter consolidates it (the NodePool CRD\'s pattern); Never: no consolidation. Default: 1m.'),
  disruption_budgets: z.array(disruptionBudget).max(50).optional().describe('How many nodes Karpenter may disrupt at once, optionally per cron window (spec.disruption.budgets). Default: Karpenter\'s, 10% of the nodes.'),
  requirements: z
    .array(nodePoolRequirement)
    .max(50)
    .optional()
    .describe('Node requirements after the pool\'s own (capacity type, architecture, OS, family or category, generation): keys such as karpenter.k8s.aws/instance-cpu, instance-size, topology.kubernetes.io/zone. Checked against the NodePool CRD and its CEL rules.'),
  taints: z.array(nodePoolTaint).max(50).optional().describe('Taints of every node of the pool: only pods tolerating them run there.'),
  labels: z.record(z.string().max(316).regex(LABEL_KEY, LABEL_KEY_MESSAGE), labelValue).optional().describe(`Labels of every node of the pool, besides ${NODE_POOL_LABEL}=<name>.`),
  weight: z
    .number()
    .int('must be a whole number from 1 to 100')
    .min(1, 'must be from 1 to 100 (Karpenter tries pools of higher weight first)')
    .max(100, 'must be from 1 to 100 (Karpenter tries pools of higher weight first)')
    .optional()
    .describe('Karpenter tries pools of higher weight first, 1 to 100. Default: none (weight 0).'),
});

/** The settings of one NodePool, defaults applied. */
export type NodePoolSettings = z.output<typeof nodePoolSettings>;

/** The general pool when the file does not write karpenter.general: every field its default. */
export const DEFAULT_GENERAL_POOL: NodePoolSettings = nodePoolSettings.parse({});

/** `enabled` of a default entry (karpenter.general, karpenter.gpu). */
const defaultEntryEnabled = (name: 'general' | 'gpu') =>
  z
    .boolean()
    .default(true)
    .describe(`false: no ${name} NodePool (the default entry removed); a karpenter.node_pools entry named ${name} may take its place. Default: true.`);

/** An entry of karpenter.node_pools: a pool of its own, named. */
const namedNodePool = nodePoolSettings.extend({
  name: z
    .string()
    .regex(NAME, 'must be 2-32 lowercase letters, digits or dashes, starting with a letter')
    .describe('The NodePool name, also the platform/node-pool label of its nodes. general or gpu replaces that default entry (karpenter.general, karpenter.gpu), which the file must then not configure (or sets enabled: false); gpu needs gpu: true, general refuses it.'),
  gpu: z.boolean().default(false).describe('An NVIDIA GPU pool: g/p families only, tainted nvidia.com/gpu=true:NoSchedule. Default: false.'),
});

export const karpenterSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    ami_alias: z
      .string()
      .regex(/^al2023@(latest|v\d{8})$/, 'must be al2023@latest or al2023@vYYYYMMDD')
      .default(PINNED_AMI_ALIAS)
      .describe(
        `EC2NodeClass AMI alias. Default: ${PINNED_AMI_ALIAS}, the AL2023 release this project pins (src/features/karpenter/versions.ts). A new release is a reviewed change; Karpenter replaces drifted nodes (docs/UPGRADES.md). al2023@latest rolls every node on each AMI release and is refused in a protected environment.`,
      ),
    create_spot_service_linked_role: z
      .boolean()
      .default(false)
      .describe(
        'Create the account\'s EC2 Spot service-linked role (AWSServiceRoleForEC2Spot), without which the first spot launch of a new account fails. One per account, and creation fails when it exists: enable it in one environment per account (docs/KARPENTER.md).',
      ),
    general: nodePoolSettings
      .extend({ enabled: defaultEntryEnabled('general') })
      .optional()
      .describe(
        'The general NodePool, the first default entry of the pool list: created with these settings (all defaults when the key is left out), unless enabled: false removes it or a karpenter.node_pools entry named general replaces it.',
      ),
    gpu: nodePoolSettings
      .extend({
        enabled: defaultEntryEnabled('gpu'),
        instance_families: z.array(z.string().regex(/^[gp][0-9][a-z0-9-]*$/, 'must be a GPU family (g or p), e.g. g5')).min(1).default(['g5', 'g6']),
      })
      .optional()
      .describe('A GPU pool (NVIDIA g/p families of the instance table) with an nvidia.com/gpu taint: the second default entry of the pool list when set (and not enabled: false). A karpenter.node_pools entry named gpu with gpu: true may stand in its place.'),
    node_pools: z
      .array(namedNodePool)
      .max(20)
      .default([])
      .describe('More NodePools, after general and gpu, each with its own name; an entry named general or gpu replaces that default entry (docs/KARPENTER.md). Default: none.'),
  })
  .prefault({})
  .describe('Karpenter: its AWS side in compute, the controller and node pools in platform.');

/** The validated `karpenter` key, defaults applied. */
export type KarpenterSettings = z.output<typeof karpenterSettings>;
