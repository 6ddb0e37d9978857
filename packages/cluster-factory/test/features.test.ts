import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { TerraformStack, Testing, Tokenization } from 'cdktf';
import { TerraformData } from '../src/lib/private/terraform-data.js';
import { Construct } from 'constructs';
import { BUILT_IN_FEATURES, CONTROLLER_IDENTITIES, CONTROLLER_IDENTITY_NAMES, CniStack, ciliumRelease, featureClusters, planFeatures, planFeaturesBeforeCore, GATEWAY_API_VERSION, HELM_VALUE_CHARTS, PLATFORM_ADDON_NAMES, componentOrder, componentsInUse, contractProblems, environmentShape, featureAddons, featureCnis, featureComputes, featureIdentities, planPlatform, withFeatureControllerIdentities, withFeatureFields, withFeatureHelmCharts, withFeatureRules, type AnyFeature, type ChartOverrideRules, type ClusterAccess, type ClusterInfo, type ControllerIdentityEntry, type CorePlan, type FeatureConfig, type FeatureDeployContext, type FeaturePlans, type FeatureRule, type HelmValuesChart, type NodeAddonInstaller } from '../src/index.js';
import { ENVIRONMENT_RULES } from '../src/config/schema.js';
import { CILIUM_VALUES_INPUT, sandboxConfig, synthPlatform } from './fixtures.js';
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
    expect(BUILT_IN_FEATURES.map((feature) => feature.name)).toEqual(['cilium', 'gateway-api', 'cluster-mesh-ca', 'spire', 'ebs-csi-driver', 'aws-load-balancer-controller', 'network-policy-baseline', 'argocd', 'karpenter', 'cluster-mesh-dns']);
    expect(BUILT_IN_FEATURES.map((feature) => feature.stack)).toEqual(['cni', 'cni', 'cni', 'cni', 'compute', 'platform', 'platform', 'platform', 'platform', 'platform']);
  });

  test('every name and release name of a platform-stack feature is reserved for the platform (user add-ons may not take it); a CNI-stack feature installs no add-on there, but its Helm releases (Cilium\'s) are reserved too', () => {
    for (const feature of BUILT_IN_FEATURES) {
      for (const name of feature.releaseNames ?? []) expect(PLATFORM_ADDON_NAMES).toContain(name);
      if (feature.stack === 'platform') expect(PLATFORM_ADDON_NAMES).toContain(feature.name);
      else if (!feature.releaseNames?.includes(feature.name)) expect(PLATFORM_ADDON_NAMES).not.toContain(feature.name);
    }
  });

  test('every built-in feature has the deploy step of its stack and no other', () => {
    expect(BUILT_IN_FEATURES.flatMap((feature) => contractProblems(feature as unknown as AnyFeature))).toEqual([]);
  });

  test("Cilium's module owns the `cilium` key (still after state) and its four rules, which keep their place: after the Gateway API's, the first of the file", () => {
    const keys = Object.keys(environmentShape.shape);
    expect(keys.slice(keys.indexOf('state'), keys.indexOf('state') + 3)).toEqual(['state', 'cilium', 'platform']);
    const cilium = BUILT_IN_FEATURES.find((feature) => feature.name === 'cilium')!;
    expect(Object.keys(cilium.config?.top ?? {})).toEqual(['cilium']);
    expect(ENVIRONMENT_RULES.map((entry) => entry.checks).slice(0, 8)).toEqual([
      'cilium.gateway_api needs enable_kube_proxy_replacement',
      'cilium.gateway_api needs cilium.l7_proxy',
      'cilium.hubble_ui needs cilium.hubble_relay',
      'cilium.hubble_relay needs enable_hubble',
      'platform.network_policy_baseline needs Cilium',
      'cilium.prefix_delegation needs cilium_mode: eni',
      'cilium.pod_cidr overlaps neither vpc_cidr nor the service CIDR',
      'availability_zones are zones of region',
    ]);
    expect((cilium.rules ?? []).map((rule) => rule.checks)).toEqual(['cilium.hubble_ui needs cilium.hubble_relay', 'cilium.hubble_relay needs enable_hubble', 'cilium.prefix_delegation needs cilium_mode: eni', 'cilium.pod_cidr overlaps neither vpc_cidr nor the service CIDR']);
  });

  test('the environment file keeps its key order: load_balancers (a feature key) after platform', () => {
    const keys = Object.keys(environmentShape.shape);
    expect(keys.slice(keys.indexOf('platform'), keys.indexOf('platform') + 3)).toEqual(['platform', 'load_balancers', 'tags']);
  });
});

describe('contractProblems', () => {
  const cniStep = () => [];
  test('a platform feature needs an addon step, a CNI feature a cni step; neither has the other\'s', () => {
    expect(contractProblems(testFeature('fine', {}))).toEqual([]);
    expect(contractProblems({ ...testFeature('crds', {}), stack: 'cni', addon: undefined, cni: cniStep })).toEqual([]);
    expect(contractProblems({ ...testFeature('bare', {}), addon: undefined })).toEqual(['feature "bare": stack platform needs its addon step']);
    expect(contractProblems({ ...testFeature('both', {}), cni: cniStep })).toEqual(['feature "both": a cni step is for stack cni, not platform']);
    expect(contractProblems({ ...testFeature('mixed', {}), stack: 'cni' })).toEqual(['feature "mixed": stack cni needs its cni step', 'feature "mixed": a addon step is for stack platform, not cni']);
    expect(contractProblems({ ...testFeature('lost', {}), stack: 'nodes' as 'cni' })).toEqual(['feature "lost": stack "nodes" is not a stack of the contract (platform, cni, compute)']);
  });

  test('a compute feature needs a compute step and has no addon or cni step; a platform feature may have a compute step; computeAt needs one', () => {
    const computeStep = () => undefined;
    expect(contractProblems({ ...testFeature('aws', {}), stack: 'compute', addon: undefined, compute: computeStep, computeAt: 'nodeAddons' })).toEqual([]);
    expect(contractProblems({ ...testFeature('both', {}), compute: computeStep })).toEqual([]);
    expect(contractProblems({ ...testFeature('bare', {}), stack: 'compute', addon: undefined })).toEqual(['feature "bare": stack compute needs its compute step']);
    expect(contractProblems({ ...testFeature('mixed', {}), stack: 'compute', compute: computeStep })).toEqual(['feature "mixed": a addon step is for stack platform, not compute']);
    expect(contractProblems({ ...testFeature('placed', {}), computeAt: 'nodeAddons' })).toEqual(['feature "placed": computeAt without a compute step']);
  });

  test('a feature has exactly one plan step, plan or planBeforeCore; cniLast needs a cni step', () => {
    const early = { ...testFeature('early', {}), stack: 'cni' as const, addon: undefined, cni: cniStep, cniLast: true, plan: undefined, planBeforeCore: () => ({}) };
    expect(contractProblems(early)).toEqual([]);
    expect(contractProblems({ ...early, plan: () => ({}) })).toEqual(['feature "early": needs exactly one plan step, plan or planBeforeCore']);
    expect(contractProblems({ ...early, planBeforeCore: undefined })).toEqual(['feature "early": needs exactly one plan step, plan or planBeforeCore']);
    expect(contractProblems({ ...testFeature('last', {}), cniLast: true })).toEqual(['feature "last": cniLast without a cni step']);
  });

  test('a feature\'s AWS side is in one stack: a cluster step or a compute step, not both', () => {
    expect(contractProblems({ ...testFeature('role', {}), cluster: () => undefined })).toEqual([]);
    expect(contractProblems({ ...testFeature('both', {}), cluster: () => undefined, compute: () => undefined })).toEqual(['feature "both": a cluster step and a compute step (its AWS side is in one stack)']);
  });
});

describe('planFeaturesBeforeCore and planFeatures', () => {
  test('the steps before the core plan run on the early context, the others on the core plan; each runs once, off features are absent', () => {
    const calls: string[] = [];
    const early: AnyFeature = { ...testFeature('early', {}), plan: undefined, planBeforeCore: (_config, context) => (calls.push(`early ${context.clusterName}`), { cluster: context.clusterName }) };
    const off: AnyFeature = { ...testFeature('off', {}), plan: undefined, planBeforeCore: () => undefined };
    const late: AnyFeature = { ...testFeature('late', {}), plan: (_config, context) => (calls.push(`late ${context.core.clusterName}`), { core: context.core.clusterName }) };
    const registered = [late, early, off];
    const networking = { cni: 'aws-vpc-cni', ciliumEnabled: false, kubeProxyReplacement: false, hubble: false, warnings: [] } as const;
    expect(planFeaturesBeforeCore({} as FeatureConfig, { clusterName: 'unit', networking }, registered)).toEqual({ early: { cluster: 'unit' } });
    expect(planFeatures({} as FeatureConfig, { core: { clusterName: 'unit' } as CorePlan }, registered)).toEqual({ late: { core: 'unit' } });
    expect(calls).toEqual(['early unit', 'late unit']);
  });

  test("Cilium's plan step runs before the core plan, which reads it: plan.cilium is plan.features.cilium; off with Fargate (enable_cilium && !enable_fargate)", () => {
    const plan = planPlatform(sandboxConfig());
    expect(plan.features.cilium).toBe(plan.cilium);
    expect(plan.cilium?.podCapacity).toEqual({ mode: 'eni', prefixDelegation: false, hostNetworkPods: expect.any(Number) as number });
    const fargate = planPlatform(sandboxConfig({ enable_fargate: true, fargate_profiles: [{ name: 'apps', selectors: [{ namespace: 'apps', labels: {} }] }], platform: { ...sandboxConfig().platform, network_policy_baseline: false } }));
    expect(fargate.cilium).toBeUndefined();
    expect(fargate.features.cilium).toBeUndefined();
  });
});

describe('withFeatureHelmCharts', () => {
  const chart = (field: string) => ({ rules: { field } as ChartOverrideRules, installed: `with ${field}` });
  const core: HelmValuesChart[] = [{ ...chart('core'), notInstalled: () => undefined }];
  const withCharts = (name: string, fields: string[], place: { after?: string; before?: string } = {}, enabled = true): AnyFeature => ({
    ...testFeature(name, {}),
    enabledIn: () => enabled,
    helmValues: { charts: fields.map((field) => (field === 'quiet' ? chart(field) : { ...chart(field), off: `${name} is switched off` })), ...place },
  });
  const keys = (charts: readonly HelmValuesChart[]) => charts.map((entry) => entry.rules.field);

  test('places a feature\'s keys after or before the key it names, or at the end, in registry order', () => {
    const charts = withFeatureHelmCharts(core, [withCharts('end', ['z']), withCharts('early', ['a', 'b'], { before: 'z' }), withCharts('first', ['x'], { after: 'core' }), withCharts('second', ['y'], { after: 'core' })]);
    expect(keys(charts)).toEqual(['core', 'x', 'y', 'a', 'b', 'z']);
  });

  test('a chart is not installed while its feature is off, with the feature\'s reason or `<name> is off`', () => {
    const [, given, quiet] = withFeatureHelmCharts(core, [withCharts('toy', ['given', 'quiet'], {}, false)]);
    expect([given!.notInstalled({} as FeatureConfig), quiet!.notInstalled({} as FeatureConfig)]).toEqual(['toy is switched off', 'toy is off']);
    expect(withFeatureHelmCharts(core, [withCharts('toy', ['given'])])[1]!.notInstalled({} as FeatureConfig)).toBeUndefined();
  });

  test('refuses a key another chart has, both places at once, and an anchor that is not a key', () => {
    expect(() => withFeatureHelmCharts(core, [withCharts('dup', ['core'])])).toThrow('feature "dup": helm_values key "core" is already a chart\'s');
    expect(() => withFeatureHelmCharts(core, [withCharts('torn', ['x'], { after: 'core', before: 'core' })])).toThrow('feature "torn": helmValues names both after and before');
    expect(() => withFeatureHelmCharts(core, [withCharts('lost', ['x'], { before: 'nope' })])).toThrow('feature "lost": helmValues.before names "nope", which is not a helm_values key');
    expect(() => withFeatureHelmCharts(core, [withCharts('lost', ['x'], { after: 'nope' })])).toThrow('feature "lost": helmValues.after names "nope", which is not a helm_values key');
  });

  test('the built-in charts keep the key order of helm_values (schema, messages): Cilium\'s, then the modules\' as before', () => {
    expect(Object.keys(HELM_VALUE_CHARTS)).toEqual(['cilium', 'karpenter', 'karpenter_crd', 'argocd', 'argocd_apps', 'aws_load_balancer_controller']);
    expect(Object.keys(environmentShape.shape.helm_values.unwrap().shape)).toEqual(Object.keys(HELM_VALUE_CHARTS));
    const off = sandboxConfig({ karpenter: { ...sandboxConfig().karpenter, enabled: false } });
    expect(HELM_VALUE_CHARTS.karpenter_crd!.notInstalled(off)).toBe('Karpenter is off (karpenter.enabled: false)');
    expect(HELM_VALUE_CHARTS.argocd_apps!.notInstalled(sandboxConfig({ platform: { network_policy_baseline: false } }))).toBe('Argo CD is off (platform.argocd)');
    expect(HELM_VALUE_CHARTS.aws_load_balancer_controller!.notInstalled(off)).toBeUndefined();
  });

  test("helm_values.cilium is Cilium's module's: installed with Cilium, not while Fargate or enable_cilium: false turns it off", () => {
    const cilium = BUILT_IN_FEATURES.find((feature) => feature.name === 'cilium')!;
    expect(cilium.helmValues?.charts.map((chart) => chart.rules.field)).toEqual(['cilium']);
    expect(HELM_VALUE_CHARTS.cilium!.installed).toBe('with Cilium');
    expect(HELM_VALUE_CHARTS.cilium!.notInstalled(sandboxConfig())).toBeUndefined();
    expect(HELM_VALUE_CHARTS.cilium!.notInstalled({ ...sandboxConfig(), enable_cilium: false })).toBe('Cilium is off (enable_cilium: false, or enable_fargate: true)');
    expect(HELM_VALUE_CHARTS.cilium!.notInstalled({ ...sandboxConfig(), enable_fargate: true })).toBe('Cilium is off (enable_cilium: false, or enable_fargate: true)');
  });
});

describe('withFeatureControllerIdentities', () => {
  const spec = (key: string) => ({ key, role: `the ${key} controller`, when: `${key} is on` });
  const core: ControllerIdentityEntry[] = [{ ...spec('m'), present: () => true }];
  const withRoles = (name: string, keys: string[], enabled: boolean): AnyFeature => ({ ...testFeature(name, {}), enabledIn: () => enabled, controllerRoles: keys.map(spec) });

  test('the core\'s roles and the features\', in key order; a feature\'s role is present while the feature is on', () => {
    const entries = withFeatureControllerIdentities(core, [withRoles('on', ['z', 'a'], true), withRoles('off', ['n'], false)]);
    expect(entries.map((entry) => [entry.key, entry.role, entry.when, entry.present({} as never)])).toEqual([
      ['a', 'the a controller', 'a is on', true],
      ['m', 'the m controller', 'm is on', true],
      ['n', 'the n controller', 'n is on', false],
      ['z', 'the z controller', 'z is on', true],
    ]);
    expect(() => withFeatureControllerIdentities(core, [withRoles('dup', ['m'], true)])).toThrow('feature "dup": controller role "m" is already a role of the platform');
  });

  test('a role with presentIn exists only while the feature is on and presentIn says so; the entry carries no presentIn', () => {
    const narrow = (enabled: boolean): AnyFeature => ({ ...testFeature('narrow', {}), enabledIn: () => enabled, controllerRoles: [{ ...spec('r'), presentIn: (config) => config.cilium_mode === 'eni' }] });
    const [on] = withFeatureControllerIdentities([], [narrow(true)]);
    const [off] = withFeatureControllerIdentities([], [narrow(false)]);
    const eni = { enable_cilium: true, enable_fargate: false, cilium_mode: 'eni' } as const;
    expect([on!.present(eni), on!.present({ ...eni, cilium_mode: 'overlay' }), off!.present(eni)]).toEqual([true, false, false]);
    expect(Object.keys(on!)).toEqual(['key', 'role', 'when', 'present']);
  });

  test("the Cilium operator's role is Cilium's module's: Cilium on (enable_cilium && !enable_fargate) in ENI mode only", () => {
    const cilium = BUILT_IN_FEATURES.find((feature) => feature.name === 'cilium')!;
    expect(cilium.controllerRoles?.map((role) => role.key)).toEqual(['cilium_operator']);
    const operator = CONTROLLER_IDENTITIES.cilium_operator!;
    expect(operator.when).toBe('Cilium in ENI mode (enable_cilium: true, enable_fargate: false, cilium_mode: eni)');
    expect([operator.present(sandboxConfig()), operator.present({ ...sandboxConfig(), cilium_mode: 'overlay' }), operator.present({ ...sandboxConfig(), enable_fargate: true }), operator.present({ ...sandboxConfig(), enable_cilium: false })]).toEqual([true, false, false, false]);
  });

  test('the platform\'s roles keep their keys and order (iam.extra_statements): the core\'s and the modules\'', () => {
    expect(CONTROLLER_IDENTITY_NAMES).toEqual(['aws_load_balancer_controller', 'cilium_operator', 'ebs_csi_driver', 'karpenter', 'vpc_cni']);
    expect(Object.keys(environmentShape.shape.iam.unwrap().shape.extra_statements.unwrap().shape)).toEqual(CONTROLLER_IDENTITY_NAMES);
    const spire = sandboxConfig({ cilium: { ...sandboxConfig().cilium, mutual_auth: true } });
    expect(CONTROLLER_IDENTITY_NAMES.filter((key) => CONTROLLER_IDENTITIES[key]!.present(spire))).toEqual(['aws_load_balancer_controller', 'cilium_operator', 'ebs_csi_driver', 'karpenter']);
    expect(CONTROLLER_IDENTITIES.ebs_csi_driver!.present(sandboxConfig())).toBe(false);
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
  const rule = (checks: string, after?: string, before?: string): FeatureRule<unknown> => ({ checks, check: () => undefined, ...(after ? { after } : {}), ...(before ? { before } : {}) });
  const withRules = (name: string, rules: FeatureRule<unknown>[]): AnyFeature => ({ ...testFeature(name, {}), rules });
  const core = [rule('a'), rule('b'), rule('c')];

  test('places rules after the rule they name, or at the features\' place, in registry order; an anchor may be an earlier feature\'s rule', () => {
    const rules = withFeatureRules(core, 'b', [withRules('one', [rule('x', 'a'), rule('unplaced'), rule('y', 'a')]), withRules('two', [rule('z', 'a'), rule('w', 'x'), rule('last', 'c')])]);
    expect(rules.map((entry) => entry.checks)).toEqual(['a', 'x', 'w', 'y', 'z', 'b', 'unplaced', 'c', 'last']);
    expect(rules.every((entry) => !('after' in entry))).toBe(true);
  });

  test('places a rule right before the rule its before names (ahead of the first rule too), in registry order', () => {
    const rules = withFeatureRules(core, 'b', [withRules('one', [rule('x', undefined, 'a'), rule('y', undefined, 'a'), rule('v', undefined, 'c')]), withRules('two', [rule('z', undefined, 'a')])]);
    expect(rules.map((entry) => entry.checks)).toEqual(['x', 'y', 'z', 'a', 'b', 'v', 'c']);
    expect(rules.every((entry) => !('before' in entry))).toBe(true);
  });

  test('refuses a rule name the list has already and an anchor it does not have', () => {
    expect(() => withFeatureRules(core, 'c', [withRules('dup', [rule('b')])])).toThrow('feature "dup": the rule "b" is already a rule of the environment');
    expect(() => withFeatureRules(core, 'c', [withRules('lost', [rule('x', 'nope')])])).toThrow('feature "lost": rule "x" runs after "nope", which is not a rule of the environment');
    expect(() => withFeatureRules(core, 'c', [withRules('lost', [rule('x', undefined, 'nope')])])).toThrow('feature "lost": rule "x" runs before "nope", which is not a rule of the environment');
    expect(() => withFeatureRules(core, 'c', [withRules('torn', [rule('x', 'a', 'b')])])).toThrow('feature "torn": rule "x" names both after and before');
  });

  test('the environment\'s rules keep the order they had before the features owned theirs (messages of a file with several errors)', () => {
    const checks = ENVIRONMENT_RULES.map((entry) => entry.checks);
    // The Gateway API's (its module) come first, as before.
    expect(checks.slice(0, 3)).toEqual(['cilium.gateway_api needs enable_kube_proxy_replacement', 'cilium.gateway_api needs cilium.l7_proxy', 'cilium.hubble_ui needs cilium.hubble_relay']);
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

  test('Karpenter\'s and the Gateway API\'s components keep their place right after the core platform\'s (Cilium), before the other features\'', () => {
    const config = sandboxConfig({ karpenter: { ...sandboxConfig().karpenter, enabled: true }, cilium: { ...sandboxConfig().cilium, gateway_api: true } });
    expect(componentsInUse(config).map((entry) => entry.component)).toEqual(['Cilium', 'Gateway API CRDs', 'Karpenter', 'EKS AL2023 AMI release', 'AWS Load Balancer Controller', 'Argo CD']);
    expect(componentsInUse({ ...config, karpenter: { ...config.karpenter, ami_alias: 'al2023@latest' } }).map((entry) => entry.component)).toEqual(['Cilium', 'Gateway API CRDs', 'Karpenter', 'AWS Load Balancer Controller', 'Argo CD']);
  });
});

describe('featureCnis', () => {
  const cluster: ClusterAccess = { clusterName: 'unit', region: 'us-west-2', endpoint: 'https://x', endpointHost: 'x', certificateAuthorityData: 'Y2E=' };
  const withCni = (name: string, constructScope?: 'own' | 'stack'): AnyFeature => ({
    ...testFeature(name, {}, undefined, constructScope),
    stack: 'cni',
    addon: undefined,
    cni: (_plan, { scope, cluster: access }) => [new TerraformData(scope, `${name}-${access.clusterName}`, {})],
  });

  test('a CNI-stack feature creates its resources in a construct named after it, or in the stack itself with constructScope stack; off or of another stack, nothing', () => {
    const stack = new TerraformStack(Testing.app(), 'cni');
    const cnis = featureCnis({ own: {}, kept: {}, addon: {} } as unknown as FeaturePlans, {} as CorePlan, [withCni('own'), withCni('kept', 'stack'), withCni('off'), testFeature('addon', {})]);
    expect(cnis.map((cni) => cni.name)).toEqual(['own', 'kept']);
    const created = cnis.flatMap((cni) => cni.deploy(stack, cluster, new Map()));
    expect(created.map((resource) => (resource as TerraformData).node.path)).toEqual(['cni/own/own-unit', 'cni/kept-unit']);
  });

  test('the Gateway API CRDs: a CNI-stack feature at their old address, with Cilium only, whose components are checked', () => {
    const on = sandboxConfig({ cilium: { ...sandboxConfig().cilium, gateway_api: true } });
    const plan = planPlatform(on);
    expect(plan.features['gateway-api']).toEqual({ version: GATEWAY_API_VERSION, crdsUrl: `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml` });
    expect(featureCnis(plan.features, plan).map((cni) => cni.name)).toEqual(['gateway-api', 'cilium']);
    const { platform } = synthPlatform(on);
    const cni = JSON.parse(Testing.synth(platform.cni!)) as { resource: { terraform_data: Record<string, unknown>; helm_release: Record<string, { depends_on: string[] }> } };
    // In the stack itself (constructScope stack): the address has no scope prefix or hash.
    expect(Object.keys(cni.resource.terraform_data)).toEqual(['gateway-api-crds']);
    expect(cni.resource.helm_release.cilium!.depends_on).toEqual(['terraform_data.gateway-api-crds']);
    // No add-on of the platform stack.
    expect(platform.platform.installed.has('gateway-api')).toBe(false);
    const off = sandboxConfig({ cilium: { ...sandboxConfig().cilium, gateway_api: false } });
    expect(planPlatform(off).features['gateway-api']).toBeUndefined();
    expect(componentsInUse(off).map((entry) => entry.component)).not.toContain('Gateway API CRDs');
    const fargate = sandboxConfig({ enable_fargate: true, fargate_profiles: [{ name: 'apps', selectors: [{ namespace: 'apps', labels: {} }] }], platform: { ...sandboxConfig().platform, network_policy_baseline: false } });
    expect(planPlatform(fargate).features['gateway-api']).toBeUndefined();
  });

  test('a cniLast feature (Cilium) comes after every other CNI-stack feature whatever its registry place, and gets what they created', () => {
    const last: AnyFeature = { ...withCni('last', 'stack'), cniLast: true, cni: (_plan, { scope, earlier }) => [new TerraformData(scope, `last-after-${[...earlier.keys()].join('-')}`, {})] };
    const settings = { environment: 'unit', stackPrefix: 'unit', region: 'us-west-2', accountId: '111111111111', stateBucket: 'b', stateRegion: 'us-west-2', tags: {} };
    const cnis = featureCnis({ last: {}, first: {}, second: {} } as unknown as FeaturePlans, {} as CorePlan, [last, withCni('first'), withCni('second', 'stack')]);
    expect(cnis.map((cni) => cni.name)).toEqual(['first', 'second', 'last']);
    const stack = new CniStack(Testing.app(), { settings, cluster, features: cnis });
    expect([...stack.features.keys()]).toEqual(['first', 'second', 'last']);
    expect(stack.features.get('last')!.map((resource) => (resource as TerraformData).node.path)).toEqual(['unit-cni/last-after-first-second']);
  });

  test('the Cilium release is the CNI stack\'s last resource and depends on every other CNI-stack feature\'s, at its old address', () => {
    const on = sandboxConfig({ cilium: { ...sandboxConfig().cilium, gateway_api: true } });
    const plan = planPlatform(on);
    expect(featureCnis(plan.features, plan).map((cni) => cni.name)).toEqual(['gateway-api', 'cilium']);
    const { platform } = synthPlatform(on);
    const resources = (JSON.parse(Testing.synth(platform.cni!)) as { resource: Record<string, Record<string, { depends_on?: string[] }>> }).resource;
    expect(Object.keys(resources.helm_release!)).toEqual(['cilium']);
    expect(resources.helm_release!.cilium!.depends_on).toEqual(['terraform_data.gateway-api-crds']);
  });

  test('the Cilium release refuses Cilium values that need a CNI-stack feature it was not given', () => {
    const { apiServerHost: _host, spireStorageClass: _storage, ...cilium } = CILIUM_VALUES_INPUT;
    expect(() => ciliumRelease(new TerraformStack(Testing.app(), 'unit-cni'), { cluster, values: { ...cilium, gatewayApi: true } })).toThrow(
      new Error("unit-cni: cilium.gatewayApi needs the gateway-api feature (features): the Gateway API CRDs before Cilium's Gateway controller starts"),
    );
  });
});

describe('featureClusters', () => {
  test('a feature\'s cluster step runs in a construct named after it, or in the stack with constructScope stack, given the cluster\'s name and VPC; off, nothing', () => {
    const withCluster = (name: string, constructScope?: 'own' | 'stack'): AnyFeature => ({ ...testFeature(name, {}, undefined, constructScope), cluster: (_plan, { scope, clusterName, vpcId }) => new Construct(scope, `${name}-${clusterName}-${vpcId}`) });
    const stack = new TerraformStack(Testing.app(), 'cluster');
    const clusters = featureClusters({ own: {}, kept: {} } as unknown as FeaturePlans, {} as CorePlan, [withCluster('own'), withCluster('kept', 'stack'), withCluster('off')]);
    expect(clusters.map((entry) => (entry.deploy(stack, { clusterName: 'c', vpcId: 'v' }) as Construct).node.path)).toEqual(['cluster/own/own-c-v', 'cluster/kept-c-v']);
  });

  test("the Cilium operator's role: Cilium's cluster step in ENI mode, at its old address, handed to add-ons as ClusterInfo.identities.ciliumOperator; none in overlay mode", () => {
    const { platform } = synthPlatform(sandboxConfig());
    expect([...platform.cluster.features.keys()]).toEqual(['cilium']);
    expect((platform.cluster.features.get('cilium') as Construct).node.path).toBe('sandbox-cluster/cilium-operator');
    const overlay = synthPlatform(sandboxConfig({ cilium_mode: 'overlay' }));
    expect(overlay.platform.cluster.features.get('cilium')).toBeUndefined();
    expect(overlay.cluster).not.toContain('cilium-operator');
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
    const place = { clusterName: 'unit', nodeAddon: () => { throw new Error('not called'); } };
    const created = new Map(computes.map((compute) => [compute.name, compute.deploy(stack, place)]));
    expect([...created.keys()]).toEqual(['own', 'kept']);
    expect([...created.values()].map((construct) => (construct as Construct).node.path)).toEqual(['compute/own/own-infrastructure', 'compute/kept-infrastructure']);
    expect(featureIdentities(created, [withCompute('own')])).toEqual({ karpenter: 'compute/own/own-infrastructure' });
  });

  test('computeAt nodeAddons: the compute stack runs the step after CoreDNS, and its nodeAddon installs an add-on there after every node group; elsewhere nodeAddon throws', () => {
    const addon = { name: 'aws-ebs-csi-driver', version: 'v1.62.0-eksbuild.1' } as const;
    const installing = (name: string, computeAt?: 'nodeGroups' | 'nodeAddons'): AnyFeature => ({
      ...testFeature(name, {}),
      ...(computeAt ? { computeAt } : {}),
      compute: (_plan, { nodeAddon, clusterName }) => ({ clusterName, addon: nodeAddon(addon) }),
    });
    const computes = featureComputes({ late: {}, early: {} } as unknown as FeaturePlans, {} as CorePlan, [installing('late', 'nodeAddons'), installing('early')]);
    expect(computes.map((compute) => [compute.name, compute.at])).toEqual([['late', 'nodeAddons'], ['early', 'nodeGroups']]);
    const installed: string[] = [];
    const place = { clusterName: 'unit', nodeAddon: ((scope: Construct, plan: { name: string }) => installed.push(`${scope.node.path}:${plan.name}`)) as unknown as NodeAddonInstaller };
    const stack = new TerraformStack(Testing.app(), 'compute');
    expect(computes[0]!.deploy(stack, place)).toEqual({ clusterName: 'unit', addon: 1 });
    expect(installed).toEqual(['compute/late:aws-ebs-csi-driver']);
    expect(() => computes[1]!.deploy(stack, place)).toThrow(new Error('feature "early": nodeAddon is for computeAt nodeAddons (after every node group and Fargate profile), not nodeGroups'));
  });

  test('the EBS CSI driver: a compute-stack feature with the node add-ons, for SPIRE, at its old addresses', () => {
    const config = sandboxConfig({ cilium: { ...sandboxConfig().cilium, mutual_auth: true } });
    const plan = planPlatform(config);
    expect(featureComputes(plan.features, plan).map((compute) => [compute.name, compute.at])).toContainEqual(['ebs-csi-driver', 'nodeAddons']);
    const { platform } = synthPlatform(config);
    const compute = JSON.parse(Testing.synth(platform.compute)) as { resource: { aws_eks_addon: Record<string, { addon_name: string; depends_on: string[]; pod_identity_association?: Array<{ role_arn: string; service_account: string }> }> } };
    expect(Object.keys(compute.resource.aws_eks_addon).sort()).toEqual(['addon-aws-ebs-csi-driver', 'addon-coredns']);
    const ebs = compute.resource.aws_eks_addon['addon-aws-ebs-csi-driver']!;
    expect(ebs.depends_on).toEqual(compute.resource.aws_eks_addon['addon-coredns']!.depends_on);
    expect(ebs.pod_identity_association).toEqual([{ role_arn: expect.stringMatching(/^\$\{aws_iam_role\.ebs-csi-identity_role_[0-9A-F]{8}\.arn\}$/), service_account: 'ebs-csi-controller-sa' }]);
    expect(platform.compute.features.has('ebs-csi-driver')).toBe(true);
    // SPIRE's StorageClass in the CNI stack, which Cilium waits for.
    const cni = JSON.parse(Testing.synth(platform.cni!)) as { resource: { kubernetes_storage_class_v1: Record<string, { metadata: { name: string } }>; helm_release: Record<string, { depends_on: string[] }> } };
    expect(Object.keys(cni.resource.kubernetes_storage_class_v1)).toEqual(['spire-storage']);
    expect(cni.resource.kubernetes_storage_class_v1['spire-storage']!.metadata).toEqual({ name: 'gp3-encrypted' });
    expect(cni.resource.helm_release.cilium!.depends_on).toEqual(['terraform_data.gateway-api-crds', 'kubernetes_storage_class_v1.spire-storage']);
    const off = planPlatform(sandboxConfig());
    expect([off.features.spire, off.features['ebs-csi-driver']]).toEqual([undefined, undefined]);
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
    expect(folders.map((entry) => entry.name).sort()).toEqual(['argocd', 'cilium', 'gateway-api', 'karpenter', 'load-balancer-controller']);
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
