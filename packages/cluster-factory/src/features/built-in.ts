import type { z } from 'zod';
import { Construct } from 'constructs';
import type { ClusterInfo, ControllerIdentities, PlatformAddon } from '../addons/addon.js';
import type { CrossFieldRule } from '../config/rules.js';
import type { ComponentCompatibility } from '../lifecycle/compatibility.js';
import type { NodeSource } from '../capacity/ip-budget.js';
import type { CorePlan } from '../plan/platform-plan.js';
import { coreComponentsInUse } from '../lifecycle/components-in-use.js';
import type { BuiltInFeature, FeatureDeployContext, FeaturePlanContext, FeatureRule } from './feature.js';
import * as registry from './registry.js';

/**
 * The environment schema, the plan and the platform stack's add-ons, assembled from the
 * registry of built-in features (src/features/registry.ts).
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

/** The top-level keys the features add to the environment file. */
export type FeatureTopFields = UnionToIntersection<NonNullable<NonNullable<Registered['config']>['top']>>;
/** The keys the features add under `platform:`. */
export type FeaturePlatformFields = UnionToIntersection<NonNullable<NonNullable<Registered['config']>['platform']>>;
/** What one feature reads of a config: its plan step's, its rules' and its components' inputs. */
type ConfigOf<F extends Registered> = Parameters<F['plan']>[0] &
  Parameters<NonNullable<F['rules']>[number]['check']>[0] &
  Parameters<NonNullable<F['components']>>[0] &
  Parameters<F['enabledIn']>[0];
/** Every config field a feature reads: the environment config must provide all of them. */
export type FeatureConfig = (Registered extends infer F ? (F extends Registered ? (config: ConfigOf<F>) => void : never) : never) extends (config: infer C) => void ? C : never;
/** What each feature's plan step decided, by feature name; absent when the feature is off. */
export type FeaturePlans = { readonly [F in Registered as F['name']]?: NonNullable<ReturnType<F['plan']>> };

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
 * their `after` names, or else after `featuresAfter` (the features' place in the list), in
 * registry order. A rule's `checks` names it: one name, one rule.
 */
export function withFeatureRules<Config extends FeatureConfig>(core: readonly CrossFieldRule<Config>[], featuresAfter: string, registered: readonly AnyFeature[] = features): CrossFieldRule<Config>[] {
  const rules: CrossFieldRule<Config>[] = [...core];
  const insertedAfter = new Map<string, number>();
  for (const feature of registered) {
    for (const { after = featuresAfter, ...rule } of (feature.rules ?? []) as readonly FeatureRule<Config>[]) {
      if (rules.some((other) => other.checks === rule.checks)) throw new Error(`feature "${feature.name}": the rule "${rule.checks}" is already a rule of the environment`);
      const anchor = rules.findIndex((other) => other.checks === after);
      if (anchor < 0) throw new Error(`feature "${feature.name}": rule "${rule.checks}" runs after "${after}", which is not a rule of the environment`);
      rules.splice(anchor + 1 + (insertedAfter.get(after) ?? 0), 0, rule);
      insertedAfter.set(after, (insertedAfter.get(after) ?? 0) + 1);
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

/** Every name a built-in feature's add-on or its Helm releases use, enabled or not. */
export function featureReleaseNames(): string[] {
  return features.flatMap((feature) => [feature.name, ...(feature.releaseNames ?? [])]);
}

/** Every feature's plan step. */
export function planFeatures(config: FeatureConfig, context: FeaturePlanContext): FeaturePlans {
  const plans: Record<string, unknown> = {};
  for (const feature of features) {
    const plan = feature.plan(config, context);
    if (plan !== undefined) plans[feature.name] = plan;
  }
  return plans as FeaturePlans;
}

/** The nodes the features' plans add at maximum scale, for the pod IP budget, in the registry's order. */
export function featureIpBudgetSources(plans: FeaturePlans, core: CorePlan): NodeSource[] {
  const planned = plans as Readonly<Record<string, unknown>>;
  return features.flatMap((feature) => (planned[feature.name] === undefined ? [] : [...(feature.ipBudgetSources?.(planned[feature.name], core) ?? [])]));
}

/** A feature's AWS side, as the compute stack creates it (ComputeStackProps.features). */
export interface FeatureCompute {
  readonly name: string;
  /** Creates it in the compute stack; the result is `ComputeStack.features.get(name)`. */
  deploy(stack: Construct): unknown;
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
    return [{ name: feature.name, deploy: (stack: Construct) => compute(planned[feature.name], { scope: featureScope(feature, stack), core }) }];
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
      const addon = feature.addon(planned[feature.name], { ...context, infrastructure: context.stacks?.compute?.features.get(feature.name) });
      if (feature.constructScope === 'stack') return addon;
      return { ...addon, deploy: (scope: Construct, cluster: ClusterInfo) => addon.deploy(new Construct(scope, feature.name), cluster) };
    });
}

/** The pinned components a config installs whose Kubernetes range synth checks: the core platform's, then its features'. */
export function componentsInUse(config: Parameters<typeof coreComponentsInUse>[0] & FeatureConfig): ComponentCompatibility[] {
  return [...coreComponentsInUse(config), ...featureComponents(config)];
}
