import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { BUILT_IN_FEATURES, PLATFORM_ADDON_NAMES, environmentShape, featureAddons, withFeatureFields, type AnyFeature, type ClusterInfo, type FeatureDeployContext, type FeaturePlans } from '../src/index.js';

/** A feature for these tests: top-level keys, no rules, an add-on that creates one construct. */
function testFeature(name: string, top: z.ZodRawShape, after?: string, constructScope?: 'own' | 'stack'): AnyFeature {
  return {
    name,
    config: { top, ...(after ? { after } : {}) },
    enabledIn: () => true,
    plan: () => ({}),
    stack: 'platform',
    ...(constructScope ? { constructScope } : {}),
    addon: () => ({ name, deploy: (scope) => [new Construct(scope, `${name}-resource`)] }),
  };
}

describe('the registry of built-in features', () => {
  test('lists the features in registry order, each name once', () => {
    expect(BUILT_IN_FEATURES.map((feature) => feature.name)).toEqual(['aws-load-balancer-controller', 'network-policy-baseline', 'argocd', 'karpenter', 'cluster-mesh-dns']);
  });

  test('every feature name and release name is reserved for the platform (user add-ons may not take it)', () => {
    for (const feature of BUILT_IN_FEATURES) {
      for (const name of [feature.name, ...(feature.releaseNames ?? [])]) expect(PLATFORM_ADDON_NAMES).toContain(name);
    }
  });

  test('the environment file keeps its key order: load_balancers (a feature key) after platform', () => {
    const keys = Object.keys(environmentShape.shape);
    expect(keys.slice(keys.indexOf('platform'), keys.indexOf('platform') + 3)).toEqual(['platform', 'load_balancers', 'tags']);
  });
});

describe('withFeatureFields', () => {
  const core = { a: z.string(), b: z.string(), c: z.string() };

  test('places keys after the key a fragment names, in registry order, or at the end', () => {
    const shape = withFeatureFields(core, [testFeature('one', { x: z.string() }, 'a'), testFeature('two', { y: z.string() }, 'a'), testFeature('three', { z: z.string() })]);
    expect(Object.keys(shape)).toEqual(['a', 'x', 'y', 'b', 'c', 'z']);
  });

  test('refuses a key the file has already and an anchor it does not have', () => {
    expect(() => withFeatureFields(core, [testFeature('dup', { b: z.string() })])).toThrow('feature "dup": config key "b" is already a key of the environment file');
    expect(() => withFeatureFields(core, [testFeature('lost', { x: z.string() }, 'nope')])).toThrow('feature "lost": config.after names "nope", which is not a key of the environment file');
  });
});

describe('featureAddons', () => {
  const context = {} as FeatureDeployContext;
  const cluster = {} as ClusterInfo;

  test('a feature deploys in a construct named after it; constructScope stack deploys in the stack itself', () => {
    const stack = new TerraformStack(Testing.app(), 'platform');
    const addons = featureAddons({ own: {}, kept: {} } as unknown as FeaturePlans, context, [testFeature('own', {}), testFeature('kept', {}, undefined, 'stack')]);
    const paths = addons.flatMap((addon) => addon.deploy(stack, cluster)).map((construct) => construct.node.path);
    expect(paths).toEqual(['platform/own/own-resource', 'platform/kept-resource']);
  });

  test('a feature without a plan installs nothing', () => {
    expect(featureAddons({} as FeaturePlans, context, [testFeature('off', {})])).toEqual([]);
  });
});
