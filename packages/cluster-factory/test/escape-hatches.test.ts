import { describe, expect, test } from 'vitest';
import { TerraformStack, Testing } from 'cdktf';
import { parse } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { resourcesOf } from '../testing/index.js';
import { ConfigError, parseConfig, parseEnvironmentConfig } from '../src/config/load.js';
import { multiRegionSchema } from '../src/config/multi-region-schema.js';
import { planMultiRegion } from '../src/plan/multi-region-plan.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { ClusterStack } from '../src/stacks/cluster-stack.js';
import { ciliumRelease } from '../src/features/cilium/cilium-release.js';
import { networkingOf } from '../src/networking/decision.js';
import { ciliumValues } from '../src/features/cilium/values.js';
import { CILIUM_VALUE_RULES } from '../src/features/cilium/helm-value-rules.js';
import { KARPENTER_VALUE_RULES } from '../src/karpenter/helm-value-rules.js';
import { karpenterControllerValues } from '../src/karpenter/karpenter-addon.js';
import { LOAD_BALANCER_CONTROLLER_VALUE_RULES } from '../src/features/load-balancer-controller/helm-value-rules.js';
import { loadBalancerControllerValues } from '../src/features/load-balancer-controller/load-balancer-controller-addon.js';
import { ARGOCD_APPS_VALUE_RULES, ARGOCD_VALUE_RULES } from '../src/features/argocd/helm-value-rules.js';
import { ARGOCD_VALUES } from '../src/features/argocd/argocd.js';
import { helmValueProblems, mergeHelmValues, type ChartOverrideRules } from '../src/kubernetes/helm-value-overrides.js';
import { addonConfigurationJson, addonConfigurationProblems } from '../src/lifecycle/eks-addon-configuration.js';
import { pinnedAddons } from '../src/lifecycle/eks-addons.js';
import { CILIUM_VALUES_INPUT, MULTI_REGION_YAML, SANDBOX_YAML } from './fixtures.js';

const TODAY = { today: '2026-12-05' };

/** The sandbox fixture with `extra` YAML appended (new top-level keys). */
const sandboxWith = (extra: string) => `${SANDBOX_YAML}${extra}`;

/** Every problem of a config text, one message a line. */
function problems(text: string): string[] {
  try {
    parseEnvironmentConfig(text, 'environments/sandbox.yaml', TODAY);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

/** Line of the first occurrence of `needle` in the text (1-based), for exact locations. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

/** The synthesized Helm releases of a config's cni and platform stacks, by id, values parsed. */
function releaseValues(yaml: string): Record<string, Record<string, unknown>> {
  const platform = new EnvironmentPlatform(Testing.app(), planPlatform(parseEnvironmentConfig(yaml, 'environments/sandbox.yaml', TODAY), TODAY));
  const releases = { ...resourcesOf(Testing.synth(platform.cni!), Release), ...resourcesOf(Testing.synth(platform.platform), Release) };
  return Object.fromEntries(Object.entries(releases).map(([id, release]) => [id, parse(((release.values as string[] | undefined) ?? ['{}'])[0]!) as Record<string, unknown>]));
}

describe('helm_values', () => {
  const HATCHES = `helm_values:
  cilium:
    bandwidthManager:
      enabled: true
    loadBalancer:
      algorithm: maglev
    operator:
      replicas: 3
  karpenter:
    replicas: 3
    settings:
      featureGates:
        spotToSpotConsolidation: true
    tolerations:
      - key: CriticalAddonsOnly
        operator: Exists
  karpenter_crd:
    additionalAnnotations:
      team: platform
  aws_load_balancer_controller:
    replicaCount: 3
    podDisruptionBudget:
      minAvailable: 2
      maxUnavailable: null
    controllerConfig:
      featureGates:
        SubnetsClusterTagCheck: false
  argocd:
    server:
      replicas: 2
    configs:
      params:
        server.insecure: true
  argocd_apps:
    projects:
      payments:
        namespace: argocd
        description: the payments team
`;

  test('are deep-merged last over the platform values of each chart, every other value unchanged', () => {
    const before = releaseValues(SANDBOX_YAML);
    const after = releaseValues(sandboxWith(HATCHES));
    const operator = before.cilium!.operator as object;
    expect(after.cilium).toEqual({ ...before.cilium, bandwidthManager: { enabled: true }, loadBalancer: { algorithm: 'maglev' }, operator: { ...operator, replicas: 3 } });
    expect(after.karpenter).toEqual({
      ...before.karpenter,
      replicas: 3,
      settings: { ...(before.karpenter!.settings as object), featureGates: { spotToSpotConsolidation: true } },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
    });
    expect(before['karpenter-crd']).toEqual({});
    expect(after['karpenter-crd']).toEqual({ additionalAnnotations: { team: 'platform' } });
    const lbc = before['aws-load-balancer-controller']!;
    expect(after['aws-load-balancer-controller']).toEqual({
      ...lbc,
      replicaCount: 3,
      // Helm drops a null value: the chart's PodDisruptionBudget gets minAvailable only.
      podDisruptionBudget: { minAvailable: 2, maxUnavailable: null },
      controllerConfig: { featureGates: { ...(lbc.controllerConfig as { featureGates: object }).featureGates, SubnetsClusterTagCheck: false } },
    });
    expect(after.argocd).toEqual({ configs: { params: { 'server.insecure': true } }, dex: { enabled: false }, server: { replicas: 2 } });
    expect(after['argocd-applicationsets']).toEqual({ ...before['argocd-applicationsets'], projects: { payments: { namespace: 'argocd', description: 'the payments team' } } });
  });

  test('refuse keys the plan decides, naming the config field that owns them', () => {
    const text = sandboxWith(`helm_values:
  cilium:
    ipam:
      mode: kubernetes
    routingMode: tunnel
    cluster:
      name: other
    eni: null
    hubble:
      relay:
        enabled: false
  karpenter:
    settings:
      clusterName: other
    serviceAccount:
      name: mine
  aws_load_balancer_controller:
    vpcId: vpc-0123
    controllerConfig:
      featureGates:
        NLBGatewayAPI: true
  argocd_apps:
    applicationsets:
      platform-addons:
        goTemplate: false
`);
    const at = (needle: string, column: number) => `environments/sandbox.yaml:${lineOf(text, needle)}:${column}`;
    expect(problems(text)).toEqual([
      `${at('mode: kubernetes', 13)}: helm_values.cilium.ipam.mode: is decided by cilium_mode (eni or cluster-pool); helm_values cannot override it`,
      `${at('routingMode: tunnel', 18)}: helm_values.cilium.routingMode: is decided by cilium_mode (native in ENI mode, tunnel in overlay mode); helm_values cannot override it`,
      `${at('name: other', 13)}: helm_values.cilium.cluster.name: is decided by name and regions[].cluster_id (cluster.name is the EKS cluster name, cluster.id the Cluster Mesh id); helm_values cannot override it`,
      `${at('eni: null', 10)}: helm_values.cilium.eni: is decided by cilium_mode and cilium.prefix_delegation; helm_values cannot override it`,
      `${at('enabled: false', 18)}: helm_values.cilium.hubble.relay.enabled: is decided by cilium.hubble_relay; helm_values cannot override it`,
      `${at('clusterName: other', 20)}: helm_values.karpenter.settings.clusterName: is decided by name (the EKS cluster Karpenter launches nodes for); helm_values cannot override it`,
      `${at('name: mine', 13)}: helm_values.karpenter.serviceAccount.name: is decided by karpenter.enabled (the controller role's Pod Identity association binds this service account); helm_values cannot override it`,
      `${at('goTemplate: false', 21)}: helm_values.argocd_apps.applicationsets.platform-addons.goTemplate: is decided by platform.argocd (the platform ApplicationSet on gitops_repo); helm_values cannot override it`,
      `${at('vpcId', 12)}: helm_values.aws_load_balancer_controller.vpcId: is decided by the network stack (the environment's VPC); helm_values cannot override it`,
      `${at('NLBGatewayAPI', 24)}: helm_values.aws_load_balancer_controller.controllerConfig.featureGates.NLBGatewayAPI: is decided by the platform (Cilium implements Gateway API); helm_values cannot override it`,
    ]);
  });

  test('refuse keys the pinned chart does not have, naming chart, version and the nearest keys', () => {
    const text = sandboxWith(`helm_values:
  cilium:
    bandwithManager:
      enabled: true
    loadBalancer:
      algoritm: maglev
    noSuchThing: 1
  karpenter:
    replica: 3
  argocd:
    sevrer:
      replicas: 2
  aws_load_balancer_controller:
    controllerConfig:
      featureGates:
        NoSuchGate: true
`);
    const at = (needle: string, column: number) => `environments/sandbox.yaml:${lineOf(text, needle)}:${column}`;
    expect(problems(text)).toEqual([
      `${at('bandwithManager:\n      enabled: true', 16).replace(/:(\d+):/, (_m, line: string) => `:${Number(line) + 1}:`)}: helm_values.cilium.bandwithManager.enabled: is not a value of chart cilium 1.19.6 (nearest: bandwidthManager)`,
      `${at('algoritm', 17)}: helm_values.cilium.loadBalancer.algoritm: is not a value of chart cilium 1.19.6 (nearest: loadBalancer.algorithm)`,
      `${at('noSuchThing', 18)}: helm_values.cilium.noSuchThing: is not a value of chart cilium 1.19.6 (its keys: packages/cluster-factory/src/features/cilium/chart-keys/cilium-1.19.6.txt)`,
      `${at('replica: 3', 14)}: helm_values.karpenter.replica: is not a value of chart karpenter 1.14.1 (nearest: replicas)`,
      `${at('replicas: 2', 17)}: helm_values.argocd.sevrer.replicas: is not a value of chart argo-cd 9.5.14 (nearest: server)`,
      `${at('NoSuchGate', 21)}: helm_values.aws_load_balancer_controller.controllerConfig.featureGates.NoSuchGate: is not a feature gate of aws-load-balancer-controller 3.5.0 (the controller exits at start on an unknown gate; its gates: packages/cluster-factory/reference/aws-load-balancer-controller-3.5.0/feature-gates.txt)`,
    ]);
  });

  test("refuse values the chart's values.schema.json or its own rules refuse, and keys argocd-apps would drop", () => {
    const text = sandboxWith(`helm_values:
  cilium:
    bandwidthManager:
      enabled: "yes"
  argocd:
    configs:
      clusterCredentials:
        staging:
          server: https://staging.example.com
  argocd_apps:
    applicationsets:
      team-apps:
        generators: []
        syncPolicy: {}
        retries: 3
  aws_load_balancer_controller:
    autoscaling:
      enabled: true
      maxReplicas: null
    podDisruptionBudget:
      minAvailable: 1
`);
    const at = (needle: string, column: number) => `environments/sandbox.yaml:${lineOf(text, needle)}:${column}`;
    expect(problems(text)).toEqual([
      `${at('enabled: "yes"', 16)}: helm_values.cilium.bandwidthManager.enabled: Instance type "string" is invalid. Expected "boolean". (values.schema.json of chart cilium 1.19.6)`,
      `${at('server: https://staging', 11)}: helm_values.argocd.configs.clusterCredentials.staging: needs config (the chart fails: "A valid .Values.configs.clusterCredentials.CLUSTERNAME.config entry is required!")`,
      `${at('retries: 3', 18)}: helm_values.argocd_apps.applicationsets.team-apps.retries: is not rendered by argocd-apps 2.0.5, which would drop it without a word (rendered keys: packages/cluster-factory/reference/argocd-apps-2.0.5/applicationset-rendered-keys.txt)`,
      `${at('maxReplicas: null', 20)}: helm_values.aws_load_balancer_controller.autoscaling.maxReplicas: must be set with autoscaling.enabled (the chart fails: "A valid .Values.autoscaling.maxReplicas value is required")`,
      `${at('minAvailable: 1', 21)}: helm_values.aws_load_balancer_controller.podDisruptionBudget.minAvailable: would sit beside the platform's podDisruptionBudget.maxUnavailable: 1, and a PodDisruptionBudget takes only one of them; add maxUnavailable: null to drop it`,
    ]);
  });

  test('refuse values for a chart the config does not install', () => {
    const text = sandboxWith(`helm_values:
  argocd:
    server:
      replicas: 2
`).replace(/platform:\n[\s\S]*?\n\n/, 'platform:\n  network_policy_baseline: true\n\n');
    expect(problems(text)).toEqual([`environments/sandbox.yaml:${lineOf(text, 'server:\n      replicas: 2')}:5: helm_values.argocd: is set but Argo CD is off (platform.argocd)`]);
  });

  test('a region of a multi-region file has its own, merged over the shared ones and checked the same way', () => {
    const shared = `helm_values:\n  cilium:\n    bandwidthManager:\n      enabled: true\n`;
    const regional = MULTI_REGION_YAML.replace(/(\n  - region: us-east-1\n)/, '$1    helm_values:\n      cilium:\n        loadBalancer:\n          algorithm: maglev\n');
    expect(regional).not.toBe(MULTI_REGION_YAML);
    const config = parseConfig(`${regional}${shared}`, 'environments/multi-region.yaml', multiRegionSchema);
    const plans = planMultiRegion(config, TODAY).regions;
    expect(plans.map((entry) => [entry.region, entry.plan.helmValues.cilium])).toEqual(
      plans.map((entry) => [entry.region, entry.region === 'us-east-1' ? { bandwidthManager: { enabled: true }, loadBalancer: { algorithm: 'maglev' } } : { bandwidthManager: { enabled: true } }]),
    );
    const owned = MULTI_REGION_YAML.replace(/(\n  - region: us-east-1\n)/, '$1    helm_values:\n      cilium:\n        cluster:\n          id: 9\n');
    expect(() => parseConfig(owned, 'environments/multi-region.yaml', multiRegionSchema)).toThrow(
      new ConfigError('environments/multi-region.yaml', [
        `environments/multi-region.yaml:${lineOf(owned, 'id: 9')}:15: regions[1].helm_values.cilium.cluster.id: is decided by name and regions[].cluster_id (cluster.name is the EKS cluster name, cluster.id the Cluster Mesh id); helm_values cannot override it`,
      ]),
    );
  });

  test('the owned lists cover every value the plan sets: each is owned or a listed default, in every mode', () => {
    const variants = [
      CILIUM_VALUES_INPUT,
      { ...CILIUM_VALUES_INPUT, mode: 'overlay' as const, wireguard: true, mutualAuth: true, gatewayApi: true, bgpControlPlane: true },
      {
        ...CILIUM_VALUES_INPUT,
        clusterMesh: { clusterId: 3, address: 'a.mesh.internal', peers: [{ name: 'b', address: 'b.mesh.internal' }], apiServerReplicas: 2, apiServerClientCidrs: ['10.0.0.0/16'], pathMtu: 8500 },
      },
    ];
    const networking = [networkingOf({ enable_cilium: true, enable_fargate: false, enable_hubble: true, enable_kube_proxy_replacement: true, cilium_mode: 'eni' }), networkingOf({ enable_cilium: true, enable_fargate: false, enable_hubble: true, enable_kube_proxy_replacement: true, cilium_mode: 'overlay' })];
    const platformValues: Array<[ChartOverrideRules, object]> = [
      ...variants.map((input): [ChartOverrideRules, object] => [CILIUM_VALUE_RULES, ciliumValues(input)]),
      [KARPENTER_VALUE_RULES, karpenterControllerValues({ clusterName: 'sandbox', interruptionQueueName: 'q', reservedEnis: 1, region: 'us-west-2' })],
      ...networking.map((decision): [ChartOverrideRules, object] => [LOAD_BALANCER_CONTROLLER_VALUE_RULES, loadBalancerControllerValues({ clusterName: 'sandbox', region: 'us-west-2', vpcId: 'vpc-1' }, decision)]),
      [ARGOCD_VALUE_RULES, ARGOCD_VALUES],
      [ARGOCD_APPS_VALUE_RULES, { applicationsets: { 'platform-addons': { namespace: 'argocd', goTemplate: true } } }],
    ];
    /** The platform's value at a dotted key, alone in a values document. */
    const only = (values: object, key: string): Record<string, unknown> => {
      const path = key.split('.');
      const value = path.reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], values);
      return path.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value) as Record<string, unknown>;
    };
    for (const [rules, values] of platformValues) {
      // The platform's own values given back as helm_values: each is refused as owned, or is a listed default.
      const problems = helmValueProblems(rules, values as Record<string, unknown>, values);
      expect(problems.filter((problem) => !problem.message.startsWith('is decided by ')), rules.field).toEqual([]);
      for (const key of rules.defaults) expect(helmValueProblems(rules, only(values, key), values), `${rules.field} ${key}`).toEqual([]);
    }
    // Each chart has a value the platform decides, or it would prove nothing.
    expect(platformValues.every(([rules, values]) => rules.field === 'argocd' || helmValueProblems(rules, values as Record<string, unknown>, values).length > 0)).toBe(true);
  });

  test('a value the platform sets that no owned entry or default lists is refused as the platform\'s', () => {
    const withoutOwners: ChartOverrideRules = { ...KARPENTER_VALUE_RULES, owned: [] };
    const platform = karpenterControllerValues({ clusterName: 'sandbox', interruptionQueueName: 'q', reservedEnis: 1, region: 'us-west-2' });
    expect(helmValueProblems(withoutOwners, { settings: { clusterName: 'x' }, replicas: 1 }, platform)).toEqual([
      { path: ['settings', 'clusterName'], message: 'is set by the platform (settings.clusterName) and not listed as overridable; helm_values cannot override it' },
    ]);
  });

  test('the Cilium release refuses values a library caller passes without the config check', () => {
    const cluster = { clusterName: 'sandbox', region: 'us-west-2', endpoint: 'https://x', endpointHost: 'x', certificateAuthorityData: 'Y2E=' };
    const { apiServerHost: _host, spireStorageClass: _storage, ...cilium } = CILIUM_VALUES_INPUT;
    expect(() => ciliumRelease(new TerraformStack(Testing.app(), 'sandbox-cni'), { cluster, values: cilium, helmValues: { routingMode: 'tunnel', bandwidthManager: { enabeld: true } } })).toThrow(
      'helm_values.cilium (chart cilium 1.19.6):\n  routingMode: is decided by cilium_mode (native in ENI mode, tunnel in overlay mode); helm_values cannot override it\n  bandwidthManager.enabeld: is not a value of chart cilium 1.19.6 (nearest: bandwidthManager.enabled)',
    );
  });

  test("a chart rule broken by values merged over the platform's is refused at synth, naming helm_values.cilium", () => {
    const config = parseEnvironmentConfig(
      sandboxWith('helm_values:\n  cilium:\n    gatewayAPI:\n      externalTrafficPolicy: Nowhere\n    hubble:\n      redact:\n        http:\n          headers:\n            allow: [traceparent]\n            deny: [authorization]\n'),
      'environments/sandbox.yaml',
      TODAY,
    );
    expect(() => new EnvironmentPlatform(Testing.app(), planPlatform(config, TODAY))).toThrow(
      new Error(
        "sandbox: helm_values.cilium: chart cilium 1.19.6 would refuse the values merged over the platform's:\n  hubble.redact.http.headers: set allow or deny, not both (hubble-redact-headers)\n  gatewayAPI.externalTrafficPolicy must be Cluster or Local (gateway-external-traffic-policy)",
      ),
    );
  });

  test("merge as Helm merges values files: maps key by key, lists and scalars replace, inputs untouched", () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const override = { a: { c: [3], e: null }, f: { g: true } };
    expect(mergeHelmValues(base, override)).toEqual({ a: { b: 1, c: [3], e: null }, d: 'x', f: { g: true } });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
  });
});

describe('eks_addons configuration_values', () => {
  const FIXTURES = new URL('./fixtures/eks-addon-configuration/', import.meta.url);
  /** The environment variables the v1.12.0-eksbuild.1 schema allows, as the User Guide prints them. */
  const VPC_CNI_ENV = ['ADDITIONAL_ENI_TAGS', 'AWS_VPC_CNI_NODE_PORT_SUPPORT', 'AWS_VPC_ENI_MTU', 'AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER', 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'AWS_VPC_K8S_CNI_EXTERNALSNAT', 'AWS_VPC_K8S_CNI_LOGLEVEL', 'AWS_VPC_K8S_CNI_LOG_FILE', 'AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'AWS_VPC_K8S_CNI_VETHPREFIX', 'AWS_VPC_K8S_PLUGIN_LOG_FILE', 'AWS_VPC_K8S_PLUGIN_LOG_LEVEL', 'DISABLE_INTROSPECTION', 'DISABLE_METRICS', 'DISABLE_NETWORK_RESOURCE_PROVISIONING', 'ENABLE_POD_ENI', 'ENABLE_PREFIX_DELEGATION', 'WARM_ENI_TARGET', 'WARM_PREFIX_TARGET'];

  test('refused for an add-on version without a pinned configuration schema, naming the command and the file that pin one', () => {
    const text = sandboxWith('eks_addons:\n  coredns:\n    configuration_values:\n      replicaCount: 3\n');
    expect(problems(text)).toEqual([
      `environments/sandbox.yaml:${lineOf(text, 'replicaCount')}:7: eks_addons.coredns.configuration_values: no configuration schema is pinned for coredns v1.14.3-eksbuild.3 (the version pinned for Kubernetes 1.35), so its values cannot be checked and are refused; to pin it, save the output of \`aws eks describe-addon-configuration --addon-name coredns --addon-version v1.14.3-eksbuild.3 --output json\`, with "source" and "retrieved" (YYYY-MM-DD) added, as packages/cluster-factory/reference/eks/addon-configuration/coredns/v1.14.3-eksbuild.3.json`,
    ]);
    // A library caller gets the same refusal from the plan.
    expect(() => pinnedAddons(['coredns'], '1.35', { coredns: { replicaCount: 3 } })).toThrow(/^coredns configuration_values:\n {2}\(root\): no configuration schema is pinned for coredns v1\.14\.3-eksbuild\.3/);
  });

  test('refused for an add-on the cluster does not install', () => {
    const text = sandboxWith('eks_addons:\n  vpc_cni:\n    configuration_values:\n      env: {}\n  kube_proxy:\n    configuration_values: {}\n');
    expect(problems(text)).toEqual([
      `environments/sandbox.yaml:${lineOf(text, '  kube_proxy:') + 1}:5: eks_addons.kube_proxy: is set but kube-proxy is not installed: Cilium's kube-proxy replacement is on (enable_kube_proxy_replacement)`,
      `environments/sandbox.yaml:${lineOf(text, 'vpc_cni') + 1}:5: eks_addons.vpc_cni: is set but vpc-cni is not installed: Cilium is the CNI`,
    ]);
  });

  test('checked against a pinned schema: accepted values, and each violation with its path (the EKS User Guide vpc-cni v1.12.0-eksbuild.1 schema)', () => {
    const check = (values: Record<string, unknown>) => addonConfigurationProblems('vpc-cni', 'v1.12.0-eksbuild.1', values, '1.35', FIXTURES);
    expect(check({ env: { ENABLE_PREFIX_DELEGATION: 'true', WARM_PREFIX_TARGET: '1' }, resources: { limits: { cpu: '100m' } } })).toEqual([]);
    expect(check({ env: { NO_SUCH_VARIABLE: 'x' }, resources: { limits: { cpu: 1 } }, replicaCount: 2 })).toEqual([
      { path: ['env', 'NO_SUCH_VARIABLE'], message: `unknown key (allowed here: ${VPC_CNI_ENV.join(', ')}) (configuration schema of vpc-cni v1.12.0-eksbuild.1)` },
      { path: ['resources', 'limits', 'cpu'], message: 'Instance type "number" is invalid. Expected "string". (configuration schema of vpc-cni v1.12.0-eksbuild.1)' },
      { path: ['replicaCount'], message: 'unknown key (allowed here: cri, env, resources) (configuration schema of vpc-cni v1.12.0-eksbuild.1)' },
    ]);
  });

  test('emitted as configuration_values JSON with sorted keys on aws_eks_addon', () => {
    const json = addonConfigurationJson({ resources: { requests: { memory: '64Mi', cpu: '10m' } }, env: { WARM_PREFIX_TARGET: '1', ENABLE_PREFIX_DELEGATION: 'true' } });
    expect(json).toBe('{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1"},"resources":{"requests":{"cpu":"10m","memory":"64Mi"}}}');
    const settings = { environment: 'sandbox', stackPrefix: 'sandbox', region: 'us-west-2', accountId: '111111111111', stateBucket: 'b', stateRegion: 'us-west-2', tags: {} };
    const networking = networkingOf({ enable_cilium: false, enable_fargate: false, enable_hubble: false, enable_kube_proxy_replacement: false, cilium_mode: 'eni' });
    const stack = new ClusterStack(Testing.app(), {
      settings,
      clusterName: 'sandbox',
      kubernetesVersion: '1.35',
      supportType: 'STANDARD',
      networking,
      vpcId: 'vpc-1',
      privateSubnetIds: ['subnet-1', 'subnet-2'],
      addons: [
        { name: 'eks-pod-identity-agent', version: 'v1.3.10-eksbuild.3' },
        { name: 'vpc-cni', version: 'v1.22.4-eksbuild.3', configurationValues: json },
        { name: 'kube-proxy', version: 'v1.35.3-eksbuild.13' },
      ],
    });
    const addons = resourcesOf(Testing.synth(stack), EksAddon);
    expect(addons['addon-vpc-cni']).toMatchObject({ addon_name: 'vpc-cni', configuration_values: json });
    expect(addons['addon-kube-proxy']).not.toHaveProperty('configuration_values');
  });
});
