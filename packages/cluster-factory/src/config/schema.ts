import { z } from 'zod';
import { DEFAULT_KUBERNETES_VERSION } from '../versions.js';
import { calendarVersions, eksRelease } from '../lifecycle/eks-calendar.js';
import { DEFAULT_SUPPORT_WARNING_DAYS, SUPPORT_TYPES } from '../lifecycle/kubernetes-support.js';
import { compatibilityFindings } from '../lifecycle/compatibility.js';
import { eksAddonsInUse } from '../lifecycle/components-in-use.js';
import { componentsInUse, featurePlatformFields, withFeatureFields, withFeatureRules } from '../features/built-in.js';
import { EKS_ADDON_VERSIONS, eksAddonVersion } from '../lifecycle/eks-addons.js';
import { PUBLIC_ENDPOINT_NEEDS_CIDRS, publicEndpointWithoutCidrs } from '../networking/platform-rules.js';
import { cidr } from './cidr-field.js';
import { INSTANCE_TABLE, isKnownInstanceType } from '../capacity/instance-types.js';
import { nodeGroupHardware } from '../capacity/ami-types.js';
import { quoted } from './messages.js';
import { NAME } from './patterns.js';
import { crossFieldRules, forEachValid, type CrossFieldRule } from './rules.js';
import { EXTENSION_RULES, iamSettings, userAddonsSettings } from './extension-schema.js';
import { ESCAPE_HATCH_RULES, eksAddonsField, helmValuesField } from './escape-hatches.js';

/**
 * The per-environment config file format (environments/<env>.yaml).
 *
 * Keys are snake_case like the Terraform module this project replaces. Every object is
 * strict: an unknown key is an error, never silently ignored. Defaults are documented on
 * each field and appear in the published JSON Schema.
 */

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const STATE_KEY_PREFIX = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Tags cluster-factory sets on every resource (platform.ts baseTags); a config cannot override them. */
export const RESERVED_TAG_KEYS = ['Environment', 'Cluster', 'ManagedBy'] as const;
/** AWS's limit of tags per resource. */
export const MAX_TAGS_PER_RESOURCE = 50;
/** Most tags cluster-factory adds to one resource besides the reserved ones (private subnets: Name and two discovery tags). */
const MOST_RESOURCE_TAGS = 3;
/** How many tags a config may set, so that no resource exceeds AWS's limit. */
export const MAX_CONFIG_TAGS = MAX_TAGS_PER_RESOURCE - RESERVED_TAG_KEYS.length - MOST_RESOURCE_TAGS;

const tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .default({})
  .check(
    crossFieldRules<Record<string, string>>([
      {
        checks: 'tag keys',
        check: (value, refuse) => {
          const keys = Object.keys(value);
          if (keys.length > MAX_CONFIG_TAGS) {
            refuse(
              [],
              `${keys.length} tags; at most ${MAX_CONFIG_TAGS} (AWS allows ${MAX_TAGS_PER_RESOURCE} per resource; cluster-factory adds ${RESERVED_TAG_KEYS.join(', ')} to every resource and up to ${MOST_RESOURCE_TAGS} more to some)`,
            );
          }
          for (const key of keys) {
            if (/^aws:/i.test(key)) refuse([key], 'keys starting with "aws:" are reserved for AWS');
            if ((RESERVED_TAG_KEYS as readonly string[]).includes(key)) {
              refuse([key], `is set by cluster-factory on every resource and cannot be overridden (reserved: ${RESERVED_TAG_KEYS.join(', ')})`);
            }
          }
        },
      },
    ]),
  )
  .describe(`Tags applied to every AWS resource through the provider default_tags: at most ${MAX_CONFIG_TAGS}, no "aws:" prefix, not ${RESERVED_TAG_KEYS.join(', ')} (set by cluster-factory).`);

/** A node group's sizes; desired_size is checked against each bound it can be compared with. */
const NODE_GROUP_RULES: readonly CrossFieldRule<{ min_size: number; max_size: number; desired_size: number }>[] = [
  {
    checks: 'min_size is at most max_size',
    check: (group, refuse) => {
      if (group.min_size > group.max_size) refuse(['min_size'], `${group.min_size} is larger than max_size ${group.max_size}`);
    },
  },
  {
    checks: 'desired_size is at most max_size',
    check: (group, refuse) => {
      if (group.desired_size > group.max_size) refuse(['desired_size'], `${group.desired_size} is larger than max_size ${group.max_size}`);
    },
  },
  {
    checks: 'desired_size is at least min_size',
    check: (group, refuse) => {
      if (group.min_size <= group.max_size && group.desired_size < group.min_size) refuse(['desired_size'], `${group.desired_size} is smaller than min_size ${group.min_size}`);
    },
  },
];

const nodeGroup = z
  .strictObject({
    name: z.string().regex(NAME, 'must be 2-32 lowercase letters, digits or dashes, starting with a letter'),
    instance_types: z
      .array(z.string().regex(INSTANCE_TYPE, 'must be an EC2 instance type such as m6i.large'))
      .min(1, 'must list at least one instance type'),
    capacity_type: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
    min_size: z.number().int().min(0).default(2),
    max_size: z.number().int().min(1).default(4),
    desired_size: z.number().int().min(0).default(2),
    disk_size_gib: z.number().int().min(20).max(16384).default(50),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .check(crossFieldRules(NODE_GROUP_RULES));

const fargateProfile = z.strictObject({
  name: z.string().regex(NAME, 'must be 2-32 lowercase letters, digits or dashes, starting with a letter'),
  selectors: z
    .array(
      z.strictObject({
        namespace: z.string().min(1),
        labels: z.record(z.string(), z.string()).default({}),
      }),
    )
    .min(1, 'must list at least one selector')
    .max(5, 'EKS allows at most 5 selectors per Fargate profile'),
});

const endpointAccess = z
  .strictObject({
    public: z.boolean().default(false).describe('Expose the API server publicly (restricted to public_cidrs). Default: false.'),
    public_cidrs: z.array(cidr(0, 32)).default([]).describe('CIDRs allowed to reach the public endpoint.'),
  })
  .check(
    crossFieldRules<{ public: boolean; public_cidrs: string[] }>([
      {
        checks: 'public_cidrs agrees with public',
        check: (access, refuse) => {
          if (publicEndpointWithoutCidrs(access.public, access.public_cidrs)) {
            refuse(['public_cidrs'], `must list at least one CIDR when public is true (${PUBLIC_ENDPOINT_NEEDS_CIDRS})`);
          }
          if (!access.public && access.public_cidrs.length > 0) refuse(['public_cidrs'], 'is set but public is false');
        },
      },
    ]),
  )
  .prefault({})
  .describe('The private endpoint is always on; the public one is opt-in.');

// The keys under `platform:` are the built-in features' (src/features/registry.ts).
const platform = z
  .strictObject(featurePlatformFields())
  .prefault({})
  .describe('Kubernetes add-ons installed after the nodes exist.');



/** Every key of an environment file, before cross-field rules. */
export const environmentShape = z.strictObject(
  withFeatureFields({
    name: z.string().regex(NAME, 'must be 2-32 lowercase letters, digits or dashes, starting with a letter'),
    aws_account_id: z.string().regex(/^\d{12}$/, 'must be a string of exactly 12 digits (quote it in YAML)'),
    region: z.string().regex(AWS_REGION, 'must be an AWS region such as us-west-2'),
    availability_zones: z
      .array(z.string())
      .min(2, 'must list at least 2 zones (EKS needs subnets in two zones)')
      .max(4, 'must list at most 4 zones'),
    vpc_cidr: cidr(16, 20).describe('The VPC CIDR, /16 to /20. Subnets are carved from it per zone.'),
    kubernetes_version: z
      .string({ error: (issue) => (issue.input === undefined ? undefined : 'quote the version, such as "1.35" (YAML reads 1.30 as the number 1.3)') })
      .regex(/^1\.\d+$/, 'must be a Kubernetes minor version such as "1.35"')
      .refine((version) => !/^1\.\d+$/.test(version) || eksRelease(version) !== undefined, {
        error: (issue) =>
          `${quoted(issue.input)} is not in the EKS calendar (reference/eks/kubernetes-versions.json: ${calendarVersions().join(', ')}); when EKS releases a new version, refresh the calendar (docs/UPGRADES.md)`,
      })
      .default(DEFAULT_KUBERNETES_VERSION)
      .describe(`EKS Kubernetes minor version. Synth refuses a version EKS does not offer on the day and warns in, and before, extended support (docs/UPGRADES.md). Default: ${DEFAULT_KUBERNETES_VERSION}.`),
    upgrade_policy: z
      .strictObject({
        support_type: z
          .enum(['STANDARD', 'EXTENDED'])
          .optional()
          .describe(`What EKS does when standard support of kubernetes_version ends. STANDARD: ${SUPPORT_TYPES.STANDARD}. EXTENDED: ${SUPPORT_TYPES.EXTENDED}. Default: EXTENDED (AWS's default); a protected environment must state it.`),
        warn_days_before_standard_support_ends: z
          .number()
          .int()
          .min(0)
          .max(365)
          .default(DEFAULT_SUPPORT_WARNING_DAYS)
          .describe(`Synth warns when standard support of kubernetes_version ends within this many days. Default: ${DEFAULT_SUPPORT_WARNING_DAYS}.`),
      })
      .prefault({})
      .describe('The EKS upgrade policy (aws_eks_cluster upgrade_policy) and when synth warns about the end of standard support.'),
    enable_cilium: z.boolean().default(true).describe('Run Cilium as the only CNI. Ignored (with a warning) when enable_fargate is true.'),
    enable_fargate: z.boolean().default(false).describe('Create Fargate profiles. Turns Cilium off: Fargate runs no DaemonSets and no eBPF.'),
    enable_hubble: z.boolean().default(true),
    enable_kube_proxy_replacement: z.boolean().default(true),
    cilium_mode: z.enum(['eni', 'overlay']).default('eni').describe('eni: pods get VPC IPs, native routing. overlay: cluster-pool IPAM with Geneve.'),
    nat_gateways: z.enum(['single', 'one_per_zone']).default('one_per_zone'),
    endpoint_access: endpointAccess,
    admin_principals: z
      .array(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/, 'must be an IAM role or user ARN'))
      .default([])
      .describe('IAM principals given cluster admin through EKS access entries.'),
    node_groups: z.array(nodeGroup).min(1, 'must contain at least one node group (system add-ons need EC2 nodes)'),
    fargate_profiles: z.array(fargateProfile).default([]),
    log_retention_days: z
      .union([z.literal(7), z.literal(14), z.literal(30), z.literal(60), z.literal(90), z.literal(180), z.literal(365), z.literal(731)], {
        error: 'must be one of 7, 14, 30, 60, 90, 180, 365, 731',
      })
      .default(30),
    state: z.strictObject({
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
      region: z.string().regex(AWS_REGION, 'must be an AWS region such as us-west-2'),
      bootstrap: z
        .enum(['local', 'migrated', 'existing'])
        .default('local')
        .describe(
          'Who creates the bucket, and where the <env>-state stack keeps its own state. local: this environment creates it, its state in a file outside cdktf.out (the bucket does not exist yet). migrated: this environment created it, its state under its own key in the bucket (docs/STATE_BOOTSTRAP.md). existing: another environment of the account or an administrator created it; this app has no state stack.',
        ),
      key_prefix: z
        .string()
        .regex(STATE_KEY_PREFIX, 'must be S3 key segments of lowercase letters, digits, dots, dashes and underscores separated by single slashes, e.g. teams/payments/staging')
        .max(200)
        .optional()
        .describe('Prefix of every state key of this environment (<prefix>/<region>/<stack>.tfstate). Default: the environment name. Environments sharing a bucket need different prefixes.'),
    }),
    platform,
    tags,
    min_pods_per_node: z
      .number()
      .int()
      .min(1)
      .max(250)
      .default(20)
      .describe('Synth warns when an instance type holds fewer pods than this (Cilium ENI mode: bounded by ENIs and IPs).'),
    ip_budget: z
      .strictObject({
        warn_at_share: z
          .number()
          .gt(0, 'must be a share above 0 and at most 1, e.g. 0.8')
          .max(1, 'must be a share above 0 and at most 1, e.g. 0.8')
          .default(0.8)
          .describe('Synth warns when pods and nodes at maximum scale need more than this share of a private subnet (ENI mode) or of the pod CIDR (overlay). Default: 0.8.'),
      })
      .prefault({})
      .describe('The pod IP budget checked at synth; demand beyond the whole subnet or pod CIDR is refused (docs/KARPENTER.md).'),
    helm_values: helmValuesField,
    eks_addons: eksAddonsField,
    protect_stateful_resources: z
      .boolean()
      .default(false)
      .describe('prevent_destroy on every stateful resource (EKS cluster, KMS keys, control-plane log groups, the mesh CA secret and zone), and the deploy refuses plans that delete or replace anything unless explicitly allowed. Use it in production.'),
    iam: iamSettings,
    user_addons: userAddonsSettings,
  }),
);

type EnvironmentShape = z.output<typeof environmentShape>;
type EnvironmentRule = CrossFieldRule<EnvironmentShape>;

/**
 * Cross-field rules of one environment, each run on its own (src/config/rules.ts): a rule that
 * reads a field with an error is reported as not checked there, and the others still run. The
 * built-in features' rules join them: Cilium's and the Gateway API's first, the others after Cilium's
 * `cilium.hubble_relay needs enable_hubble`, or after the rule they name (src/features/<name>/).
 */
export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = withFeatureRules<EnvironmentShape>(
  [
    // Cilium's rules come first (src/features/cilium/rules.ts), the Gateway API's before them (src/features/gateway-api/).
    {
      checks: 'availability_zones are zones of region',
      check: (env, refuse) => {
        forEachValid(env.availability_zones, (zone, index) => {
          if (!new RegExp(`^${env.region}[a-z]$`).test(zone)) {
            refuse(['availability_zones', index], `${quoted(zone)} is not a zone of region ${env.region} (expected ${env.region}a, ${env.region}b, ...)`);
          }
        });
      },
    },
    {
      checks: 'availability_zones are listed once',
      check: (env, refuse) => {
        const seen = new Set<string>();
        forEachValid(env.availability_zones, (zone, index) => {
          if (seen.has(zone)) refuse(['availability_zones', index], `${quoted(zone)} is listed twice`);
          seen.add(zone);
        });
      },
    },
    {
      checks: 'node_groups instance types are in the instance table',
      check: (env, refuse) => {
        forEachValid(env.node_groups, (group, groupIndex) =>
          forEachValid(group.instance_types, (type, typeIndex) => {
            if (!isKnownInstanceType(type)) refuse(['node_groups', groupIndex, 'instance_types', typeIndex], `${quoted(type)} is not in the instance table (${INSTANCE_TABLE})`);
          }),
        );
      },
    },
    {
      checks: 'node_groups instance types share one architecture and one accelerator (one AMI type)',
      check: (env, refuse) => {
        forEachValid(env.node_groups, (group, groupIndex) => {
          const types: string[] = [];
          forEachValid(group.instance_types, (type) => types.push(type));
          // Invalid or unknown types are refused by the rules above.
          if (types.length !== group.instance_types.length || !types.every(isKnownInstanceType)) return;
          const hardware = nodeGroupHardware(types);
          if ('problem' in hardware) refuse(['node_groups', groupIndex, 'instance_types'], hardware.problem);
        });
      },
    },
    {
      checks: 'node_groups names are unique',
      check: (env, refuse) => {
        const names = new Set<string>();
        forEachValid(env.node_groups, (group, index) => {
          if (names.has(group.name)) refuse(['node_groups', index, 'name'], `${quoted(group.name)} is used twice`);
          names.add(group.name);
        });
      },
    },
    {
      checks: 'fargate_profiles agree with enable_fargate',
      check: (env, refuse) => {
        if (env.enable_fargate && env.fargate_profiles.length === 0) refuse(['fargate_profiles'], 'must list at least one profile when enable_fargate is true');
        if (!env.enable_fargate && env.fargate_profiles.length > 0) refuse(['fargate_profiles'], 'is set but enable_fargate is false');
      },
    },
    {
      checks: 'upgrade_policy.support_type is stated in a protected environment',
      check: (env, refuse) => {
        if (env.protect_stateful_resources && env.upgrade_policy.support_type === undefined) {
          refuse(['upgrade_policy', 'support_type'], `must be stated in a protected environment (protect_stateful_resources: true): STANDARD (${SUPPORT_TYPES.STANDARD}) or EXTENDED (${SUPPORT_TYPES.EXTENDED})`);
        }
      },
    },
    {
      checks: 'kubernetes_version is supported by every pinned component in use',
      check: (env, refuse) => {
        const version = env.kubernetes_version;
        // An unknown version is reported once, by the field itself.
        if (eksRelease(version) === undefined) return;
        const { unsupported, untested } = compatibilityFindings(componentsInUse(env), version);
        for (const problem of unsupported) refuse(['kubernetes_version'], problem);
        if (env.protect_stateful_resources) {
          for (const problem of untested) refuse(['kubernetes_version'], `${problem}; a protected environment runs tested combinations only`);
        }
      },
    },
    {
      checks: 'kubernetes_version has a pinned version of every EKS add-on in use',
      check: (env, refuse) => {
        const version = env.kubernetes_version;
        if (eksRelease(version) === undefined) return;
        const missing = eksAddonsInUse(env).filter((addon) => eksAddonVersion(addon, version) === undefined);
        if (missing.length > 0) {
          const known = Object.keys(EKS_ADDON_VERSIONS.addons[missing[0]!].versions).join(', ');
          refuse(['kubernetes_version'], `no pinned EKS add-on version of ${missing.join(', ')} for ${version} (reference/eks/addon-versions.json has ${known}; refresh it: docs/UPGRADES.md)`);
        }
      },
    },
    ...EXTENSION_RULES,
    ...ESCAPE_HATCH_RULES,
  ],
  // Where the features' rules run unless they name another place: where the policy baseline's always ran.
  'cilium.hubble_relay needs enable_hubble',
);

/** One environment file: the shape plus its cross-field rules. */
export const environmentSchema = environmentShape.check(crossFieldRules(ENVIRONMENT_RULES));

/** The file as written: defaults not yet applied. */
export type EnvironmentConfigInput = z.input<typeof environmentSchema>;
/** The validated config with every default applied. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type NodeGroupConfig = EnvironmentConfig['node_groups'][number];
export type FargateProfileConfig = EnvironmentConfig['fargate_profiles'][number];
