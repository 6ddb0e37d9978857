import { z } from 'zod';
import { statementProblems, type ExtraStatement } from '../iam/policy-statements.js';
import { PLATFORM_ADDON_NAMES, chartVersionProblem, namespaceConflict } from '../addons/user-addons.js';
import { orderAddons } from '../addons/addon.js';
import { CONTROLLER_IDENTITIES, CONTROLLER_IDENTITY_NAMES, enabledAddonFeatureNames, type FeatureConfig } from '../features/built-in.js';
import { quoted } from './messages.js';
import { forEachValid, type CrossFieldRule } from './rules.js';

/**
 * The escape hatches of an environment file beyond its settings: extra IAM statements per
 * controller role (`iam`) and the platform team's own add-ons (`user_addons`), each checked as
 * strictly as the platform's own settings.
 */

const conditionValue = z.union([z.string(), z.number(), z.boolean()]);

const statement = z.strictObject({
  sid: z.string().min(1).describe('Statement id: ASCII letters and digits, unique within the role\'s policy (the platform\'s statements included).'),
  effect: z.enum(['Allow', 'Deny']).default('Allow'),
  actions: z.array(z.string().min(1)).min(1, 'must list at least one action').describe('IAM actions, service:Action (wildcards * and ? in the action name; "*" and service:* are refused by the policy pack).'),
  resources: z.array(z.string().min(1)).min(1, 'must list at least one resource (an ARN, or "*")').describe('ARNs in the region\'s partition, or "*" (write actions on "*" need a condition: policy pack IAM-002).'),
  conditions: z
    .record(z.string(), z.record(z.string().min(1), z.union([conditionValue, z.array(conditionValue).min(1)])))
    .optional()
    .describe('IAM Condition block: operator (StringEquals, ArnLike, ...IfExists, ForAnyValue:...) -> condition key -> value or values.'),
});

const statementList = (identity: string) =>
  z
    .array(statement)
    .optional()
    .describe(`Statements added to the inline policy of ${CONTROLLER_IDENTITIES[identity]!.role}'s Pod Identity role (it exists with ${CONTROLLER_IDENTITIES[identity]!.when}).`);

export const iamSettings = z
  .strictObject({
    extra_statements: z
      // The core platform's roles and the built-in features' (controllerRoles), in key order.
      .strictObject(Object.fromEntries(CONTROLLER_IDENTITY_NAMES.map((identity) => [identity, statementList(identity)])) as Record<string, ReturnType<typeof statementList>>)
      .prefault({}),
  })
  .prefault({})
  .describe(
    'Extra IAM statements per controller role, appended to its inline policy. Checked at synth by the policy pack (no "*" or service:* actions, no write actions on "*" without a condition) and against IAM\'s limit of 10,240 characters for a role\'s inline policies.',
  );

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const addonName = z
  .string()
  .regex(DNS_LABEL, 'must be lowercase letters, digits and dashes, starting and ending with a letter or digit')
  .max(53, 'is longer than 53 characters (Helm\'s limit for release names)')
  .describe('The add-on\'s name, also its Helm release name: unique among user add-ons, not a name of the platform\'s add-ons.');
const namespace = z.string().regex(DNS_LABEL, 'must be a Kubernetes namespace name (lowercase letters, digits and dashes)').max(63).describe('The release\'s namespace.');
const common = {
  name: addonName,
  namespace,
  create_namespace: z.boolean().default(true).describe('Create the namespace when it does not exist. Default: true.'),
  depends_on: z.array(z.string().min(1)).default([]).describe('Add-ons installed first: user add-ons, or platform add-ons this environment enables. Every user add-on comes after all of the platform\'s.'),
  serves_webhooks: z
    .strictObject({
      names: z.array(z.string().min(1)).min(1, 'must list at least one webhook (or APIService) name'),
      host_network: z.boolean().default(false).describe('The webhooks are served from the node network (hostNetwork: true).'),
    })
    .optional()
    .describe('Admission webhooks or aggregated APIs the add-on serves: in cilium_mode overlay synth warns about those served from pods (the control plane cannot reach pod addresses).'),
};

const helmChart = z.strictObject({
  ...common,
  repository: z.string().regex(/^(https|oci):\/\/[^\s]+$/, 'must be an https:// chart repository or an oci:// registry URL'),
  chart: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a chart name such as cert-manager'),
  version: z
    .string()
    .superRefine((version, ctx) => {
      const problem = chartVersionProblem(version);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('The exact chart version (SemVer, e.g. 1.16.2): ranges and "latest" are refused.'),
  values: z.record(z.string(), z.unknown()).default({}).describe('Helm values, passed as given; checked at config load against values_schema when it is set (the chart\'s own schema, if any, is checked by Helm at apply).'),
  values_schema: z
    .string()
    .min(1)
    .optional()
    .describe('A JSON Schema file (JSON; draft 7 unless its $schema names draft 4, 2019-09 or 2020-12), relative to this config file, that values must match: checked when the config is loaded, each violation at its field. Usually the chart\'s own values.schema.json, committed beside the config. Default: none (values unchecked until Helm applies them).'),
});

const kubernetesObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
});

const manifest = z.strictObject({
  ...common,
  file: z.string().min(1).optional().describe('A YAML file of Kubernetes objects (documents separated by ---), relative to this config file.'),
  objects: z.array(kubernetesObject).min(1, 'must list at least one object').optional().describe('The Kubernetes objects, inline.'),
});

export const userAddonsSettings = z
  .strictObject({
    helm_charts: z.array(helmChart).default([]).describe('Helm charts, each at an exact version.'),
    manifests: z.array(manifest).default([]).describe('Plain Kubernetes objects, from a file or inline, applied as one Helm release each.'),
  })
  .prefault({})
  .describe('Your own add-ons, installed in the platform stack after the platform\'s, in the order of their depends_on (docs/EXTENDING.md).');

/** The fields of a config the escape-hatch rules read. */
interface ExtensionConfig {
  readonly region: string;
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly cilium_mode: 'eni' | 'overlay';
  readonly cilium: { readonly mutual_auth: boolean };
  readonly karpenter: { readonly enabled: boolean };
  readonly platform: { readonly network_policy_baseline: boolean; readonly argocd?: { readonly enabled: boolean } };
  readonly iam: z.output<typeof iamSettings>;
  readonly user_addons: z.output<typeof userAddonsSettings>;
}

/** The platform add-ons a config enables, by name: the built-in features it turns on (multi-region configs add the mesh DNS). */
export function enabledPlatformAddons(config: Omit<ExtensionConfig, 'iam' | 'user_addons' | 'region'>): string[] {
  // An environment file's rules pass the whole config: every field a feature reads (planPlatform checks that type).
  return enabledAddonFeatureNames(config as unknown as FeatureConfig);
}

type Entry = { readonly kind: 'helm_charts' | 'manifests'; readonly index: number; readonly name: string; readonly dependsOn: readonly string[] };

/** Every user add-on with where it is in the file. */
function userAddonEntries(config: ExtensionConfig): Entry[] {
  const entries: Entry[] = [];
  for (const kind of ['helm_charts', 'manifests'] as const) {
    const list: ReadonlyArray<{ readonly name: string; readonly depends_on: readonly string[] }> = config.user_addons[kind];
    forEachValid(list, (addon, index) => entries.push({ kind, index, name: addon.name, dependsOn: addon.depends_on }));
  }
  return entries;
}

export const EXTENSION_RULES: readonly CrossFieldRule<ExtensionConfig>[] = [
  {
    checks: 'iam.extra_statements name roles this environment has',
    check: (config, refuse) => {
      for (const identity of CONTROLLER_IDENTITY_NAMES) {
        const statements = config.iam.extra_statements[identity];
        if (!statements || statements.length === 0) continue;
        const { role, when, present } = CONTROLLER_IDENTITIES[identity]!;
        if (!present(config)) refuse(['iam', 'extra_statements', identity], `this environment has no role for ${role}: it exists with ${when}`);
      }
    },
  },
  {
    checks: 'iam.extra_statements are valid IAM statements with unique sids',
    check: (config, refuse) => {
      for (const identity of CONTROLLER_IDENTITY_NAMES) {
        const statements: ExtraStatement[] = [];
        const given: readonly ExtraStatement[] = config.iam.extra_statements[identity] ?? [];
        forEachValid(given, (entry) => statements.push(entry));
        // A statement with an error of its own is left out: its other problems show once it is valid.
        if (statements.length === 0 || statements.length !== given.length) continue;
        for (const problem of statementProblems(statements, config.region)) refuse(['iam', 'extra_statements', identity, ...problem.path], problem.message);
      }
    },
  },
  {
    checks: 'user_addons names are unique and not the platform\'s',
    check: (config, refuse) => {
      const seen = new Map<string, Entry>();
      for (const entry of userAddonEntries(config)) {
        const at = ['user_addons', entry.kind, entry.index, 'name'];
        const first = seen.get(entry.name);
        if ((PLATFORM_ADDON_NAMES as readonly string[]).includes(entry.name)) {
          refuse(at, `${quoted(entry.name)} is a name of the platform's add-ons (taken: ${PLATFORM_ADDON_NAMES.join(', ')})`);
        } else if (first) {
          refuse(at, `${quoted(entry.name)} is already user_addons.${first.kind}[${first.index}]: add-on names must be unique`);
        }
        if (!first) seen.set(entry.name, entry);
      }
    },
  },
  {
    checks: 'user_addons.manifests each give a file or objects, and do not create their namespace twice',
    check: (config, refuse) => {
      forEachValid(config.user_addons.manifests, (manifest, index) => {
        if (manifest.file === undefined && manifest.objects === undefined) refuse(['user_addons', 'manifests', index], 'needs file (a YAML file relative to this config) or objects (inline)');
        if (manifest.file !== undefined && manifest.objects !== undefined) refuse(['user_addons', 'manifests', index, 'objects'], 'is set together with file: give one of them');
        // Objects from a file are checked when it is read (config/manifest-files.ts).
        const conflict = manifest.file === undefined && manifest.objects ? namespaceConflict(manifest, manifest.objects) : undefined;
        if (conflict) refuse(['user_addons', 'manifests', index, 'create_namespace'], conflict);
      });
    },
  },
  {
    checks: 'user_addons depends_on name add-ons of this environment, without cycles',
    check: (config, refuse) => {
      const entries = userAddonEntries(config);
      const platform = enabledPlatformAddons(config);
      const known = new Set([...platform, ...entries.map((entry) => entry.name)]);
      const userNames = entries.map((entry) => entry.name).join(', ') || 'none';
      let unknown = false;
      for (const entry of entries) {
        entry.dependsOn.forEach((dependency, index) => {
          if (known.has(dependency)) return;
          unknown = true;
          refuse(
            ['user_addons', entry.kind, entry.index, 'depends_on', index],
            `${quoted(dependency)} is not an add-on of this environment (user add-ons: ${userNames}; platform add-ons: ${platform.join(', ')})`,
          );
        });
      }
      // Names used twice are refused above; the order is judged once names and dependencies are right.
      if (unknown || new Set(entries.map((entry) => entry.name)).size !== entries.length) return;
      try {
        orderAddons(entries.map((entry) => ({ name: entry.name, dependsOn: entry.dependsOn.filter((name) => !platform.includes(name)), deploy: () => [] })));
      } catch (error) {
        const cycle = /^add-on dependency cycle: (.*)$/.exec((error as Error).message);
        if (!cycle) throw error;
        const first = entries.find((entry) => entry.name === cycle[1]!.split(' -> ')[0])!;
        refuse(['user_addons', first.kind, first.index, 'depends_on'], `is a dependency cycle: ${cycle[1]}`);
      }
    },
  },
];
