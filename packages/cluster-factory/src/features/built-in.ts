import type { z } from 'zod';
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import type { ClusterInfo, ControllerIdentities, PlatformAddon } from '../addons/addon.js';
import type { CrossFieldRule } from '../config/rules.js';
import type { ComponentCompatibility } from '../lifecycle/compatibility.js';
import type { NodeSource } from '../capacity/ip-budget.js';
import type { CorePlan } from '../plan/platform-plan.js';
import type { ClusterAccess } from '../stacks/cluster-access.js';
import { CORE_CONTROLLER_IDENTITIES, type ControllerIdentitySpec, type IdentityConfig } from '../iam/controller-identities.js';
import type { ChartOverrideRules } from '../kubernetes/helm-value-overrides.js';
import type { BuiltInFeature, FeatureComputeContext, FeatureCorePlanContext, FeatureDeployContext, FeaturePlanContext, FeatureRule } from './feature.js';
import * as registry from './registry.js';

/**
 * The environment schema, the plan, the CNI stack's prerequisites of Cilium and the platform
 * stack's add-ons, assembled from the registry of built-in features (src/features/registry.ts).
 */

type Registered = (typeof registry)[keyof typeof registry]['feature'];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** A feature of any config and plan (the registry's, or a test's). */
export type AnyFeature = BuiltInFeature<string, z.ZodRawShape, z.ZodRawShape, unknown, unknown, unknown, unknown, unknown, unknown>;

/** Every built-in feature, in the registry's order. */
export const BUILT_IN_FEATURES: readonly Registered[] = Object.keys(registry)
  .sort()
  .map((key) => registry[key as keyof typeof registry].feature);

// Each feature's config, rules and plan name only the fields they read: here they run on a whole config.
const features = BUILT_IN_FEATURES as unknown as readonly AnyFeature[];

const duplicate = features.find((feature, index) => features.findIndex((other) => other.name === feature.name) !== index);
if (duplicate) throw new Error(`src/features/registry.ts: two features are named "${duplicate.name}"`);

/** The deploy step each stack needs: `addon` for `platform`, `cni` for `cni`, `compute` for `compute`. */
const STACK_STEPS = { platform: 'addon', cni: 'cni', compute: 'compute' } as const;
/** The steps only one stack's features have (a platform feature may have a compute step too). */
const EXCLUSIVE_STEPS = { addon: 'platform', cni: 'cni' } as const;

/** The deploy step its stack needs, and no step of another stack's. */
export function contractProblems(feature: AnyFeature): string[] {
  const own = STACK_STEPS[feature.stack];
  if (own === undefined) return [`feature "${feature.name}": stack "${String(feature.stack)}" is not a stack of the contract (${Object.keys(STACK_STEPS).join(', ')})`];
  const problems: string[] = [];
  if (feature[own] === undefined) problems.push(`feature "${feature.name}": stack ${feature.stack} needs its ${own} step`);
  for (const [step, stack] of Object.entries(EXCLUSIVE_STEPS)) {
    if (stack !== feature.stack && feature[step as keyof typeof EXCLUSIVE_STEPS] !== undefined) problems.push(`feature "${feature.name}": a ${step} step is for stack ${stack}, not ${feature.stack}`);
  }
  if (feature.computeAt !== undefined && feature.compute === undefined) problems.push(`feature "${feature.name}": computeAt without a compute step`);
  if ((feature.plan === undefined) === (feature.planBeforeCore === undefined)) problems.push(`feature "${feature.name}": needs exactly one plan step, plan or planBeforeCore`);
  if (feature.cluster !== undefined && feature.compute !== undefined) problems.push(`feature "${feature.name}": a cluster step and a compute step (its AWS side is in one stack)`);
  if (feature.cniLast && feature.cni === undefined) problems.push(`feature "${feature.name}": cniLast without a cni step`);
  return problems;
}

const broken = features.flatMap(contractProblems);
if (broken.length > 0) throw new Error(`src/features/registry.ts: ${broken.join('; ')}`);

/** The features whose add-ons the platform stack installs: their names are add-on names (dependsOn, user_addons depends_on). */
const platformFeatures = features.filter((feature) => feature.stack === 'platform');

/** The top-level keys the features add to the environment file. */
export type FeatureTopFields = UnionToIntersection<NonNullable<NonNullable<Registered['config']>['top']>>;
/** The keys the features add under `platform:`. */
export type FeaturePlatformFields = UnionToIntersection<NonNullable<NonNullable<Registered['config']>['platform']>>;
/** What one feature reads of a config: its plan step's, its rules' and its components' inputs. */
type ConfigOf<F extends Registered> = Parameters<NonNullable<F['plan']>>[0] &
  Parameters<NonNullable<F['rules']>[number]['check']>[0] &
  Parameters<NonNullable<F['components']>>[0] &
  Parameters<F['enabledIn']>[0];
/** Every config field a feature reads: the environment config must provide all of them. */
export type FeatureConfig = (Registered extends infer F ? (F extends Registered ? (config: ConfigOf<F>) => void : never) : never) extends (config: infer C) => void ? C : never;
/** What each feature's plan step decided, by feature name; absent when the feature is off. */
export type FeaturePlans = { readonly [F in Registered as F['name']]?: NonNullable<ReturnType<NonNullable<F['plan']>>> };

/** The keys of `platform:`, in the registry's order. */
export function featurePlatformFields(): FeaturePlatformFields {
  return Object.assign({}, ...features.map((feature) => feature.config?.platform ?? {})) as FeaturePlatformFields;
}

/**
 * The environment file's top-level keys: `core` with each feature's keys placed after the key
 * its fragment names (in registry order), or at the end.
 */
export function withFeatureFields<Core extends z.ZodRawShape>(core: Core, registered: readonly AnyFeature[] = features): Core & FeatureTopFields {
  const entries: Array<[string, z.core.$ZodType]> = Object.entries(core);
  const insertedAfter = new Map<string, number>();
  for (const feature of registered) {
    const fragment = feature.config;
    if (!fragment?.top) continue;
    for (const key of Object.keys(fragment.top)) {
      if (entries.some(([name]) => name === key)) throw new Error(`feature "${feature.name}": config key "${key}" is already a key of the environment file`);
    }
    let at = entries.length;
    if (fragment.after !== undefined) {
      const anchor = entries.findIndex(([name]) => name === fragment.after);
      if (anchor < 0) throw new Error(`feature "${feature.name}": config.after names "${fragment.after}", which is not a key of the environment file`);
      at = anchor + 1 + (insertedAfter.get(fragment.after) ?? 0);
      insertedAfter.set(fragment.after, (insertedAfter.get(fragment.after) ?? 0) + Object.keys(fragment.top).length);
    }
    entries.splice(at, 0, ...Object.entries(fragment.top));
  }
  return Object.fromEntries(entries) as unknown as Core & FeatureTopFields;
}

/**
 * The environment's cross-field rules: `core` with each feature's rules placed after the rule
 * their `after` names, right before the rule their `before` names, or else after `featuresAfter`
 * (the features' place in the list: a rule of `core` or of a feature earlier in the registry), in registry order. A rule's `checks` names it: one name, one rule.
 */
export function withFeatureRules<Config extends FeatureConfig>(core: readonly CrossFieldRule<Config>[], featuresAfter: string, registered: readonly AnyFeature[] = features): CrossFieldRule<Config>[] {
  const rules: CrossFieldRule<Config>[] = [...core];
  const insertedAfter = new Map<string, number>();
  for (const feature of registered) {
    for (const { after, before, ...rule } of (feature.rules ?? []) as readonly FeatureRule<Config>[]) {
      if (rules.some((other) => other.checks === rule.checks)) throw new Error(`feature "${feature.name}": the rule "${rule.checks}" is already a rule of the environment`);
      if (after !== undefined && before !== undefined) throw new Error(`feature "${feature.name}": rule "${rule.checks}" names both after and before`);
      if (before !== undefined) {
        // Rules placed before the same one stay in registry order: each goes right before it, after the earlier ones.
        const anchor = rules.findIndex((other) => other.checks === before);
        if (anchor < 0) throw new Error(`feature "${feature.name}": rule "${rule.checks}" runs before "${before}", which is not a rule of the environment`);
        rules.splice(anchor, 0, rule);
        continue;
      }
      const place = after ?? featuresAfter;
      const anchor = rules.findIndex((other) => other.checks === place);
      if (anchor < 0) throw new Error(`feature "${feature.name}": rule "${rule.checks}" runs after "${place}", which is not a rule of the environment`);
      rules.splice(anchor + 1 + (insertedAfter.get(place) ?? 0), 0, rule);
      insertedAfter.set(place, (insertedAfter.get(place) ?? 0) + 1);
    }
  }
  return rules;
}

/** The features in the order of their components: registry order, each moved after the place its componentsAfter names. */
export function componentOrder(registered: readonly AnyFeature[] = features): AnyFeature[] {
  const ordered = registered.filter((feature) => feature.componentsAfter === undefined);
  const insertedAfter = new Map<string, number>();
  for (const feature of registered) {
    const after = feature.componentsAfter;
    if (after === undefined) continue;
    const anchor = after === 'core' ? -1 : ordered.findIndex((other) => other.name === after);
    if (after !== 'core' && anchor < 0) throw new Error(`feature "${feature.name}": componentsAfter names "${after}", which is neither core nor a feature before it`);
    ordered.splice(anchor + 1 + (insertedAfter.get(after) ?? 0), 0, feature);
    insertedAfter.set(after, (insertedAfter.get(after) ?? 0) + 1);
  }
  return ordered;
}

const featuresByComponentOrder = componentOrder();

/** The pinned components the config's features install, whose Kubernetes range synth checks. */
export function featureComponents(config: FeatureConfig): ComponentCompatibility[] {
  return featuresByComponentOrder.flatMap((feature) => [...(feature.components?.(config) ?? [])]);
}

/** The names of the features a config turns on, in the registry's order. */
export function enabledFeatureNames(config: FeatureConfig): string[] {
  return features.filter((feature) => feature.enabledIn(config)).map((feature) => feature.name);
}

/** The names of the platform stack's features a config turns on: the add-ons a user add-on may depend on, in the registry's order. */
export function enabledAddonFeatureNames(config: FeatureConfig): string[] {
  return platformFeatures.filter((feature) => feature.enabledIn(config)).map((feature) => feature.name);
}

/** Every name a built-in feature's add-on in the platform stack or its Helm releases (in any stack) use, enabled or not. */
export function featureReleaseNames(): string[] {
  return features.flatMap((feature) => [...(feature.stack === 'platform' ? [feature.name] : []), ...(feature.releaseNames ?? [])]);
}

/** The plan steps the core plan reads (planBeforeCore), in the registry's order. */
export function planFeaturesBeforeCore(config: FeatureConfig, context: FeatureCorePlanContext, registered: readonly AnyFeature[] = features): FeaturePlans {
  const plans: Record<string, unknown> = {};
  for (const feature of registered) {
    const plan = feature.planBeforeCore?.(config, context);
    if (plan !== undefined) plans[feature.name] = plan;
  }
  return plans as FeaturePlans;
}

/** The other features' plan steps, on the core plan, in the registry's order. */
export function planFeatures(config: FeatureConfig, context: FeaturePlanContext, registered: readonly AnyFeature[] = features): FeaturePlans {
  const plans: Record<string, unknown> = {};
  for (const feature of registered) {
    const plan = feature.plan?.(config, context);
    if (plan !== undefined) plans[feature.name] = plan;
  }
  return plans as FeaturePlans;
}

/** The nodes the features' plans add at maximum scale, for the pod IP budget, in the registry's order. */
export function featureIpBudgetSources(plans: FeaturePlans, core: CorePlan): NodeSource[] {
  const planned = plans as Readonly<Record<string, unknown>>;
  return features.flatMap((feature) => (planned[feature.name] === undefined ? [] : [...(feature.ipBudgetSources?.(planned[feature.name], core) ?? [])]));
}

/** How the compute stack installs an EKS add-on that needs nodes (FeatureComputeContext.nodeAddon), in a scope. */
export type NodeAddonInstaller = (scope: Construct, ...args: Parameters<FeatureComputeContext['nodeAddon']>) => ReturnType<FeatureComputeContext['nodeAddon']>;

/** A feature's AWS side, as the compute stack creates it (ComputeStackProps.features). */
export interface FeatureCompute {
  readonly name: string;
  /** Where in the compute stack (BuiltInFeature.computeAt). */
  readonly at: 'nodeGroups' | 'nodeAddons';
  /** Creates it in the compute stack; the result is `ComputeStack.features.get(name)`. */
  deploy(stack: Construct, place: { readonly clusterName: string; readonly nodeAddon: NodeAddonInstaller }): unknown;
}

/** A construct named after the feature in `scope`, or `scope` itself for constructScope 'stack'. */
function featureScope(feature: AnyFeature, scope: Construct): Construct {
  return feature.constructScope === 'stack' ? scope : new Construct(scope, feature.name);
}

/** The AWS sides of the features that are on, in the registry's order. */
export function featureComputes(plans: FeaturePlans, core: CorePlan, registered: readonly AnyFeature[] = features): FeatureCompute[] {
  const planned = plans as Readonly<Record<string, unknown>>;
  return registered.flatMap((feature) => {
    const compute = feature.compute;
    if (!compute || planned[feature.name] === undefined) return [];
    const at = feature.computeAt ?? 'nodeGroups';
    return [
      {
        name: feature.name,
        at,
        deploy: (stack: Construct, { clusterName, nodeAddon }: { readonly clusterName: string; readonly nodeAddon: NodeAddonInstaller }) => {
          const scope = featureScope(feature, stack);
          const install: FeatureComputeContext['nodeAddon'] = (...args) => {
            if (at !== 'nodeAddons') throw new Error(`feature "${feature.name}": nodeAddon is for computeAt nodeAddons (after every node group and Fargate profile), not ${at}`);
            return nodeAddon(scope, ...args);
          };
          return compute(planned[feature.name], { scope, core, clusterName, nodeAddon: install });
        },
      },
    ];
  });
}

/** A feature's AWS side, as the cluster stack creates it (ClusterStackProps.features). */
export interface FeatureCluster {
  readonly name: string;
  /** Creates it in the cluster stack; the result is `ClusterStack.features.get(name)`. */
  deploy(stack: Construct, place: { readonly clusterName: string; readonly vpcId: string }): unknown;
}

/** The cluster-stack sides of the features that are on, in the registry's order. */
export function featureClusters(plans: FeaturePlans, core: CorePlan, registered: readonly AnyFeature[] = features): FeatureCluster[] {
  const planned = plans as Readonly<Record<string, unknown>>;
  return registered.flatMap((feature) => {
    const cluster = feature.cluster;
    if (!cluster || planned[feature.name] === undefined) return [];
    return [{ name: feature.name, deploy: (stack: Construct, { clusterName, vpcId }: { readonly clusterName: string; readonly vpcId: string }) => cluster(planned[feature.name], { scope: featureScope(feature, stack), core, clusterName, vpcId }) }];
  });
}

/** A feature's resources in the CNI stack, as the CNI stack creates them (CniStackProps.features). */
export interface FeatureCni {
  readonly name: string;
  /** Creates them in the CNI stack, given what the features before it created (by name); returns what a later feature may depend on. */
  deploy(stack: Construct, cluster: ClusterAccess, earlier: ReadonlyMap<string, readonly ITerraformDependable[]>): readonly ITerraformDependable[];
}

/** The CNI stack's resources of the features that are on and belong to it, in the registry's order, the cniLast ones (Cilium) after the others. */
export function featureCnis(plans: FeaturePlans, core: CorePlan, registered: readonly AnyFeature[] = features): FeatureCni[] {
  const planned = plans as Readonly<Record<string, unknown>>;
  const ordered = [...registered.filter((feature) => !feature.cniLast), ...registered.filter((feature) => feature.cniLast)];
  return ordered.flatMap((feature) => {
    const cni = feature.cni;
    if (feature.stack !== 'cni' || !cni || planned[feature.name] === undefined) return [];
    return [
      {
        name: feature.name,
        deploy: (stack: Construct, cluster: ClusterAccess, earlier: ReadonlyMap<string, readonly ITerraformDependable[]>) => cni(planned[feature.name], { scope: featureScope(feature, stack), core, cluster, earlier }),
      },
    ];
  });
}

/** The controller roles the features' AWS sides created (ClusterInfo.identities), in the registry's order. */
export function featureIdentities(infrastructure: ReadonlyMap<string, unknown>, registered: readonly AnyFeature[] = features): ControllerIdentities {
  return Object.assign({}, ...registered.map((feature) => (feature.identities && infrastructure.has(feature.name) ? feature.identities(infrastructure.get(feature.name)) : {}))) as ControllerIdentities;
}

/** The add-ons of the features that are on and belong to the platform stack, in the registry's order. */
export function featureAddons(plans: FeaturePlans, context: FeatureDeployContext, registered: readonly AnyFeature[] = features): PlatformAddon[] {
  const planned = plans as Readonly<Record<string, unknown>>;
  return registered
    .filter((feature) => feature.stack === 'platform' && planned[feature.name] !== undefined)
    .map((feature) => {
      if (!feature.addon) throw new Error(`feature "${feature.name}": stack platform needs its addon step`);
      const infrastructure = context.stacks?.compute?.features.get(feature.name) ?? context.stacks?.cluster?.features.get(feature.name);
      const addon = feature.addon(planned[feature.name], { ...context, infrastructure });
      if (feature.constructScope === 'stack') return addon;
      return { ...addon, deploy: (scope: Construct, cluster: ClusterInfo) => addon.deploy(new Construct(scope, feature.name), cluster) };
    });
}

/** A chart under `helm_values`: its rules (`rules.field` is its key), when it is installed, and why it is not on a config. */
export interface HelmValuesChart {
  readonly rules: ChartOverrideRules;
  /** When it is installed, for the key's description. */
  readonly installed: string;
  /** Why the config's cluster does not install it, or undefined when it does. */
  notInstalled(config: FeatureConfig): string | undefined;
}

/**
 * The charts under `helm_values`: `core` with each feature's placed after the key its
 * `helmValues.after` names, before the one its `before` names, or at the end, in registry order.
 */
export function withFeatureHelmCharts(core: readonly HelmValuesChart[], registered: readonly AnyFeature[] = features): HelmValuesChart[] {
  const charts = [...core];
  const insertedAfter = new Map<string, number>();
  for (const feature of registered) {
    const fragment = feature.helmValues;
    if (!fragment) continue;
    const own = fragment.charts.map(({ rules, installed, off }): HelmValuesChart => ({
      rules,
      installed,
      notInstalled: (config) => (feature.enabledIn(config) ? undefined : (off ?? `${feature.name} is off`)),
    }));
    for (const { rules } of own) {
      if (charts.some((chart) => chart.rules.field === rules.field)) throw new Error(`feature "${feature.name}": helm_values key "${rules.field}" is already a chart's`);
    }
    const { after, before } = fragment;
    if (after !== undefined && before !== undefined) throw new Error(`feature "${feature.name}": helmValues names both after and before`);
    const anchorOf = (key: string, side: string) => {
      const anchor = charts.findIndex((chart) => chart.rules.field === key);
      if (anchor < 0) throw new Error(`feature "${feature.name}": helmValues.${side} names "${key}", which is not a helm_values key`);
      return anchor;
    };
    let at = charts.length;
    if (before !== undefined) at = anchorOf(before, 'before');
    if (after !== undefined) {
      at = anchorOf(after, 'after') + 1 + (insertedAfter.get(after) ?? 0);
      insertedAfter.set(after, (insertedAfter.get(after) ?? 0) + own.length);
    }
    charts.splice(at, 0, ...own);
  }
  return charts;
}

/** A controller's Pod Identity role: its key under iam.extra_statements, and whether a config has it. */
export interface ControllerIdentityEntry extends ControllerIdentitySpec {
  present(config: IdentityConfig): boolean;
}

/** The controller roles: the core platform's and the features' (controllerRoles), in key order; present when the feature is on (and its presentIn says so). */
export function withFeatureControllerIdentities(core: readonly ControllerIdentityEntry[], registered: readonly AnyFeature[] = features): ControllerIdentityEntry[] {
  const entries = [...core];
  for (const feature of registered) {
    for (const { presentIn, ...spec } of feature.controllerRoles ?? []) {
      if (entries.some((entry) => entry.key === spec.key)) throw new Error(`feature "${feature.name}": controller role "${spec.key}" is already a role of the platform`);
      // An environment file's rules pass the whole config: every field a feature reads.
      entries.push({ ...spec, present: (config) => feature.enabledIn(config as unknown as FeatureConfig) && (presentIn?.(config) ?? true) });
    }
  }
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Every controller role of the platform by its key under iam.extra_statements, in key order. */
export const CONTROLLER_IDENTITIES: Readonly<Record<string, ControllerIdentityEntry>> = Object.fromEntries(withFeatureControllerIdentities(CORE_CONTROLLER_IDENTITIES).map((entry) => [entry.key, entry]));
/** The keys of iam.extra_statements, in order. */
export const CONTROLLER_IDENTITY_NAMES: readonly string[] = Object.keys(CONTROLLER_IDENTITIES);

/** The pinned components a config installs whose Kubernetes range synth checks (Cilium's first), from its features. */
export function componentsInUse(config: FeatureConfig): ComponentCompatibility[] {
  return featureComponents(config);
}
