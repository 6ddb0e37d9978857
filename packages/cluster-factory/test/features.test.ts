import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { TerraformStack, Testing, Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { BUILT_IN_FEATURES, PLATFORM_ADDON_NAMES, componentOrder, componentsInUse, environmentShape, featureAddons, featureComputes, featureIdentities, planPlatform, withFeatureFields, withFeatureRules, type AnyFeature, type ClusterInfo, type FeatureDeployContext, type FeaturePlans, type FeatureRule, type CorePlan } from '../src/index.js';
import { ENVIRONMENT_RULES } from '../src/config/schema.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';
import { KarpenterInfrastructure } from '../src/karpenter/karpenter-infrastructure.js';

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

describe('withFeatureRules', () => {
  const rule = (checks: string, after?: string): FeatureRule<unknown> => ({ checks, check: () => undefined, ...(after ? { after } : {}) });
  const withRules = (name: string, rules: FeatureRule<unknown>[]): AnyFeature => ({ ...testFeature(name, {}), rules });
  const core = [rule('a'), rule('b'), rule('c')];

  test('places rules after the rule they name, or at the features\' place, in registry order; an anchor may be an earlier feature\'s rule', () => {
    const rules = withFeatureRules(core, 'b', [withRules('one', [rule('x', 'a'), rule('unplaced'), rule('y', 'a')]), withRules('two', [rule('z', 'a'), rule('w', 'x'), rule('last', 'c')])]);
    expect(rules.map((entry) => entry.checks)).toEqual(['a', 'x', 'w', 'y', 'z', 'b', 'unplaced', 'c', 'last']);
    expect(rules.every((entry) => !('after' in entry))).toBe(true);
  });

  test('refuses a rule name the list has already and an anchor it does not have', () => {
    expect(() => withFeatureRules(core, 'c', [withRules('dup', [rule('b')])])).toThrow('feature "dup": the rule "b" is already a rule of the environment');
    expect(() => withFeatureRules(core, 'c', [withRules('lost', [rule('x', 'nope')])])).toThrow('feature "lost": rule "x" runs after "nope", which is not a rule of the environment');
  });

  test('the environment\'s rules keep the order they had before the features owned theirs (messages of a file with several errors)', () => {
    const checks = ENVIRONMENT_RULES.map((entry) => entry.checks);
    expect(checks.slice(3, 6)).toEqual(['cilium.hubble_relay needs enable_hubble', 'platform.network_policy_baseline needs Cilium', 'cilium.prefix_delegation needs cilium_mode: eni']);
    // The default-pools rule (issue 22) runs among the pool rules, before the CEL rule.
    expect(checks.slice(10, 17)).toEqual([
      'node_groups instance types share one architecture and one accelerator (one AMI type)',
      'karpenter pool instance families and categories are in the instance table, of its architectures, accelerated ones in GPU pools only',
      'karpenter pool architectures each admit a family of the pool',
      'karpenter pool names, requirements and labels',
      'karpenter default pools are removed or replaced explicitly, GPU requests are in GPU pools, and at least one pool is left',
      'karpenter pools hold the CEL rules of the pinned NodePool CRD',
      'node_groups names are unique',
    ]);
    expect(checks.slice(18, 21)).toEqual([
      'upgrade_policy.support_type is stated in a protected environment',
      'karpenter.ami_alias is a pinned release in a protected environment',
      'kubernetes_version is supported by every pinned component in use',
    ]);
    expect(checks).toHaveLength(29);
  });
});

describe('componentOrder', () => {
  const placed = (name: string, componentsAfter?: string): AnyFeature => ({ ...testFeature(name, {}), ...(componentsAfter ? { componentsAfter } : {}) });

  test('registry order, a feature moved after core (before every feature) or after a named feature', () => {
    const order = componentOrder([placed('a'), placed('b'), placed('c', 'core'), placed('d', 'a'), placed('e', 'core')]);
    expect(order.map((feature) => feature.name)).toEqual(['c', 'e', 'a', 'd', 'b']);
  });

  test('refuses a place that is neither core nor an earlier feature', () => {
    expect(() => componentOrder([placed('a', 'nope')])).toThrow('feature "a": componentsAfter names "nope", which is neither core nor a feature before it');
  });

  test('Karpenter\'s components keep their place right after the core platform\'s, before the other features\'', () => {
    const config = sandboxConfig({ karpenter: { ...sandboxConfig().karpenter, enabled: true }, cilium: { ...sandboxConfig().cilium, gateway_api: true } });
    expect(componentsInUse(config).map((entry) => entry.component)).toEqual(['Cilium', 'Gateway API CRDs', 'Karpenter', 'EKS AL2023 AMI release', 'AWS Load Balancer Controller', 'Argo CD']);
    expect(componentsInUse({ ...config, karpenter: { ...config.karpenter, ami_alias: 'al2023@latest' } }).map((entry) => entry.component)).toEqual(['Cilium', 'Gateway API CRDs', 'Karpenter', 'AWS Load Balancer Controller', 'Argo CD']);
  });
});

describe('featureComputes', () => {
  const withCompute = (name: string, constructScope?: 'own' | 'stack'): AnyFeature => ({
    ...testFeature(name, {}, undefined, constructScope),
    compute: (_plan, { scope }) => new Construct(scope, `${name}-infrastructure`),
    identities: (infrastructure) => ({ karpenter: (infrastructure as Construct).node.path }),
  });

  test('a feature\'s AWS side is created in a construct named after it, or in the stack itself with constructScope stack; off, nothing', () => {
    const stack = new TerraformStack(Testing.app(), 'compute');
    const computes = featureComputes({ own: {}, kept: {} } as unknown as FeaturePlans, {} as CorePlan, [withCompute('own'), withCompute('kept', 'stack'), withCompute('off')]);
    const created = new Map(computes.map((compute) => [compute.name, compute.deploy(stack)]));
    expect([...created.keys()]).toEqual(['own', 'kept']);
    expect([...created.values()].map((construct) => (construct as Construct).node.path)).toEqual(['compute/own/own-infrastructure', 'compute/kept-infrastructure']);
    expect(featureIdentities(created, [withCompute('own')])).toEqual({ karpenter: 'compute/own/own-infrastructure' });
  });

  test('Karpenter\'s AWS side stays at compute/karpenter; the platform hands its controller role on as an identity', () => {
    const config = sandboxConfig({ karpenter: { ...sandboxConfig().karpenter, enabled: true } });
    expect(featureComputes(planPlatform(config).features, planPlatform(config)).map((compute) => compute.name)).toEqual(['karpenter']);
    const { platform } = synthPlatform(config);
    const infrastructure = platform.compute.features.get('karpenter') as KarpenterInfrastructure;
    expect(infrastructure).toBeInstanceOf(KarpenterInfrastructure);
    expect(infrastructure.node.path).toBe(`${platform.compute.node.path}/karpenter`);
    const identities = featureIdentities(platform.compute.features);
    expect(Object.keys(identities)).toEqual(['karpenter']);
    // The role's ARN, a token of the compute stack (each read of .arn is a new token, so compare what it refers to).
    const refersTo = (value: string) => Tokenization.reverseString(value).tokens.map((token) => (token as unknown as { identifier: string }).identifier);
    expect(refersTo(identities.karpenter!)).toEqual(refersTo(infrastructure.controllerRole.arn));
    expect(refersTo(identities.karpenter!)).toEqual([expect.stringMatching(/^aws_iam_role\.karpenter_controller-identity_role_[0-9A-F]{8}\.arn$/)]);
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

describe('pinned versions', () => {
  test('every pin of a feature folder (src/features/<name>/versions.ts) is re-exported by src/versions.ts, the one place every pin is listed', async () => {
    const { readdirSync, existsSync } = await import('node:fs');
    const all = (await import('../src/versions.js')) as Record<string, unknown>;
    const folders = readdirSync(new URL('../src/features/', import.meta.url), { withFileTypes: true }).filter((entry) => entry.isDirectory() && existsSync(new URL(`../src/features/${entry.name}/versions.ts`, import.meta.url)));
    expect(folders.map((entry) => entry.name).sort()).toEqual(['argocd', 'karpenter', 'load-balancer-controller']);
    for (const folder of folders) {
      const pins = (await import(`../src/features/${folder.name}/versions.ts`)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(pins)) expect(all[name], `${folder.name}: ${name}`).toBe(value);
    }
  });

  test('Karpenter: the controller and CRD charts share one version; the EC2NodeClass default alias is the pinned AL2023 release', async () => {
    const { KARPENTER_CHART, KARPENTER_CRD_CHART, AL2023_AMI_RELEASE } = await import('../src/features/karpenter/versions.js');
    expect(KARPENTER_CHART).toEqual({ repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.14.1' });
    expect(KARPENTER_CRD_CHART).toEqual({ repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter-crd', version: '1.14.1' });
    const { PINNED_AMI_ALIAS } = await import('../src/lifecycle/components-in-use.js');
    expect(PINNED_AMI_ALIAS).toBe(`al2023@${AL2023_AMI_RELEASE}`);
  });
});
