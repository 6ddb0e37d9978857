import { describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { resourcesOf } from '../testing/index.js';
import { ConfigError, loadEnvironmentConfig } from '../src/config/load.js';
import { EnvironmentPlatform, defineSingleRegion } from '../src/platform.js';
import { planPlatform, type PlatformPlan } from '../src/plan/platform-plan.js';
import { planMultiRegion } from '../src/plan/multi-region-plan.js';
import { defineMultiRegion, defineMultiRegionEnvironment } from '../src/cluster-mesh/multi-region-platform.js';
import { PLATFORM_ADDON_NAMES, userAddon, type UserAddon } from '../src/addons/user-addons.js';
import { collectAnnotations } from '../src/app/run-app.js';
import { SANDBOX_YAML, multiRegionConfig, sandboxConfig, sandboxProblems } from './fixtures.js';

const CERT_MANAGER = { name: 'cert-manager', namespace: 'cert-manager', repository: 'https://charts.jetstack.io', chart: 'cert-manager', version: 'v1.16.2', values: { crds: { enabled: true } } };
const EXTERNAL_DNS = {
  name: 'external-dns',
  namespace: 'external-dns',
  repository: 'https://kubernetes-sigs.github.io/external-dns/',
  chart: 'external-dns',
  version: '1.15.0',
  depends_on: ['cluster-issuers'],
};
const ISSUER = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'ClusterIssuer',
  metadata: { name: 'selfsigned' },
  spec: { selfSigned: {} },
};
const ISSUERS = { name: 'cluster-issuers', namespace: 'cert-manager', depends_on: ['cert-manager'], objects: [ISSUER] };

/** What every user add-on waits for in the sandbox: every resource of the platform's add-ons. */
const SANDBOX_PLATFORM_RESOURCES = [
  'terraform_data.aws-load-balancer-controller-crds',
  'helm_release.aws-load-balancer-controller',
  'helm_release.network-policy-baseline',
  'helm_release.argocd',
  'kubernetes_secret_v1.argocd-in-cluster',
  'helm_release.argocd-applicationsets',
  'helm_release.karpenter-crd',
  'helm_release.karpenter',
  'helm_release.karpenter-node-pools',
];

const platformOf = (config = sandboxConfig()) => new EnvironmentPlatform(Testing.app(), planPlatform(config));

const problemsOf = sandboxProblems;

describe('user_addons: accepted add-ons are installed after the platform\'s, in dependency order', () => {
  const platform = platformOf(sandboxConfig({ user_addons: { helm_charts: [EXTERNAL_DNS, CERT_MANAGER], manifests: [ISSUERS] } }));
  const releases = resourcesOf(Testing.synth(platform.platform), Release);
  /** A release by its Helm name, with its Terraform address. */
  const release = (name: string) => {
    const [id, body] = Object.entries(releases).find(([, candidate]) => candidate.name === name)!;
    return { address: `helm_release.${id}`, id, body };
  };

  test('the order: the platform\'s add-ons, then each user add-on after the ones it names', () => {
    expect([...platform.platform.installed.keys()]).toEqual(['aws-load-balancer-controller', 'network-policy-baseline', 'argocd', 'karpenter', 'cert-manager', 'cluster-issuers', 'external-dns']);
  });

  test('a Helm chart: its own scope, the exact version, its values, after every platform resource', () => {
    expect(release('cert-manager').id).toMatch(/^user-addon-cert-manager_release_[0-9A-F]{8}$/);
    expect(release('cert-manager').body).toEqual({
      name: 'cert-manager',
      namespace: 'cert-manager',
      create_namespace: true,
      repository: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      version: 'v1.16.2',
      values: ['crds:\n  enabled: true\n'],
      wait: true,
      depends_on: SANDBOX_PLATFORM_RESOURCES,
    });
  });

  test('depends_on: the manifest comes after cert-manager, external-dns after the manifest', () => {
    expect(release('cluster-issuers').body).toMatchObject({
      name: 'cluster-issuers',
      namespace: 'cert-manager',
      atomic: true,
      chart: expect.stringMatching(/^assets\/user-addon-cluster-issuers_chart_[0-9A-F]+\/[0-9A-F]+$/),
      depends_on: [...SANDBOX_PLATFORM_RESOURCES, release('cert-manager').address],
    });
    expect(release('external-dns').body.depends_on).toEqual([...SANDBOX_PLATFORM_RESOURCES, release('cluster-issuers').address]);
  });

  test('a manifest: its objects reach the cluster as plain YAML in the stack\'s chart', () => {
    const outdir = Testing.fullSynth(platform.platform);
    const chart = String(release('cluster-issuers').body.chart);
    const templates = join(outdir, 'stacks', platform.platform.node.id, chart, 'templates');
    expect(readdirSync(templates)).toEqual(['01-clusterissuer-selfsigned.yaml']);
    expect(readFileSync(join(templates, '01-clusterissuer-selfsigned.yaml'), 'utf8')).toBe('apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: selfsigned\nspec:\n  selfSigned: {}\n');
  });
});

describe('user_addons.manifests[].file: read relative to the config file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'user-addons-'));
  mkdirSync(join(directory, 'addons'));
  const write = (manifests: unknown[], file = 'addons/quotas.yaml', content?: string) => {
    if (content !== undefined) writeFileSync(join(directory, file), content);
    // user_addons first: its file field is on line 5, column 13.
    const { user_addons: _none, ...rest } = JSON.parse(JSON.stringify(sandboxConfig())) as Record<string, unknown>;
    const config = { user_addons: { manifests }, ...rest };
    const path = join(directory, 'env.yaml');
    writeFileSync(path, stringify(config));
    return path;
  };

  test('the objects of the file become the add-on\'s chart', () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'team-a', namespace: 'team-a' }, spec: { hard: { pods: '50' } } };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } };
    const path = write([{ name: 'team-a', namespace: 'team-a', create_namespace: false, file: 'addons/quotas.yaml' }], 'addons/quotas.yaml', `${stringify(namespace)}---\n${stringify(quota)}`);
    const config = loadEnvironmentConfig(path, { today: '2026-12-05' });
    expect(config.user_addons.manifests[0]!.objects).toEqual([namespace, quota]);
    const plan = planPlatform(config, { today: '2026-12-05' });
    expect(plan.userAddons).toEqual([{ kind: 'manifest', name: 'team-a', namespace: 'team-a', createNamespace: false, dependsOn: [], source: 'addons/quotas.yaml', objects: [namespace, quota] }]);
  });

  test('a file that creates the release namespace while create_namespace is true is refused there', () => {
    const path = write([{ name: 'team-a', namespace: 'team-a', file: 'addons/namespace.yaml' }], 'addons/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
    expect(() => loadEnvironmentConfig(path, { today: '2026-12-05' })).toThrow(
      new ConfigError(path, [
        `${path}:3:7: user_addons.manifests[0].create_namespace: is true, but the objects create Namespace "team-a" themselves: set create_namespace: false (Helm would create the namespace first, then fail on the object: it exists and is not the release's)`,
      ]),
    );
  });

  test.each([
    ['a file that does not exist', 'addons/missing.yaml', undefined, 'cannot read addons/missing.yaml (ENOENT); the path is relative to the directory of this config file'],
    ['a file that is not YAML', 'addons/broken.yaml', 'kind: [', 'addons/broken.yaml:1:8 is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a document that is not an object', 'addons/list.yaml', 'apiVersion: v1\nkind: ConfigMap\n---\n- a\n', 'addons/list.yaml: document 1 has no metadata.name; document 2 is not a mapping (each document must be a Kubernetes object with apiVersion, kind and metadata.name)'],
    ['an empty file', 'addons/empty.yaml', '# nothing yet\n', 'addons/empty.yaml holds no Kubernetes object'],
  ])('%s is refused at the file field', (_case, file, content, message) => {
    const path = write([{ name: 'team-a', namespace: 'team-a', file }], file, content);
    expect(() => loadEnvironmentConfig(path, { today: '2026-12-05' })).toThrow(new ConfigError(path, [`${path}:5:13: user_addons.manifests[0].file: ${message}`]));
  });
});

describe('user_addons.helm_charts[].values_schema: the values checked against a JSON Schema file at config load', () => {
  const directory = mkdtempSync(join(tmpdir(), 'user-addons-schema-'));
  mkdirSync(join(directory, 'schemas'));
  const SCHEMA = {
    type: 'object',
    additionalProperties: false,
    properties: { crds: { type: 'object', properties: { enabled: { type: 'boolean' } } }, replicaCount: { type: 'integer', minimum: 1 } },
  };
  /** An environment file whose first lines are the chart entry: values_schema on line 4, values from line 5. */
  const write = (values: Record<string, unknown>, schemaFile: string, schema?: string) => {
    if (schema !== undefined) writeFileSync(join(directory, schemaFile), schema);
    const { user_addons: _none, ...rest } = JSON.parse(JSON.stringify(sandboxConfig())) as Record<string, unknown>;
    const { name, values: _own, ...chart } = CERT_MANAGER;
    const config = { user_addons: { helm_charts: [{ name, values_schema: schemaFile, values, ...chart }] }, ...rest };
    const path = join(directory, 'env.yaml');
    writeFileSync(path, stringify(config));
    return path;
  };
  const load = (path: string) => loadEnvironmentConfig(path, { today: '2026-12-05' });

  test('values that match are accepted and installed as given; the schema file is read relative to the config', () => {
    const path = write({ crds: { enabled: true }, replicaCount: 2 }, 'schemas/cert-manager.json', JSON.stringify(SCHEMA));
    const config = load(path);
    expect(config.user_addons.helm_charts[0]).toMatchObject({ values_schema: 'schemas/cert-manager.json', values: { crds: { enabled: true }, replicaCount: 2 } });
    expect(planPlatform(config, { today: '2026-12-05' }).userAddons[0]).toMatchObject({ kind: 'helm', values: { crds: { enabled: true }, replicaCount: 2 } });
  });

  test('each violation is refused at its own field, with the schema file named', () => {
    const path = write({ crds: { enabled: 'yes' }, replicaCount: 0, replicas: 2 }, 'schemas/cert-manager.json', JSON.stringify(SCHEMA));
    expect(() => load(path)).toThrow(
      new ConfigError(path, [
        `${path}:7:20: user_addons.helm_charts[0].values.crds.enabled: Instance type "string" is invalid. Expected "boolean". (values_schema schemas/cert-manager.json)`,
        `${path}:8:23: user_addons.helm_charts[0].values.replicaCount: 0 is less than 1. (values_schema schemas/cert-manager.json)`,
        `${path}:9:9: user_addons.helm_charts[0].values.replicas: unknown key (allowed here: crds, replicaCount) (values_schema schemas/cert-manager.json)`,
      ]),
    );
  });

  test.each([
    ['a file that does not exist', 'schemas/missing.json', undefined, 'cannot read schemas/missing.json (ENOENT); the path is relative to the directory of this config file'],
    ['a file that is not JSON', 'schemas/broken.json', '{"type": ', 'schemas/broken.json is not JSON: Unexpected end of JSON input'],
    ['a JSON value that is no schema', 'schemas/list.json', '["object"]', 'schemas/list.json is not a JSON Schema (a JSON object such as {"type": "object", "properties": {...}})'],
    [
      'a draft the checker does not know',
      'schemas/draft3.json',
      '{"$schema": "http://json-schema.org/draft-03/schema#"}',
      'schemas/draft3.json declares $schema "http://json-schema.org/draft-03/schema#" (allowed: http://json-schema.org/draft-04/schema, http://json-schema.org/draft-07/schema, https://json-schema.org/draft/2019-09/schema, https://json-schema.org/draft/2020-12/schema, or none for draft 7)',
    ],
  ])('%s is refused at the values_schema field', (_case, file, content, message) => {
    const path = write({}, file, content);
    expect(() => load(path)).toThrow(new ConfigError(path, [`${path}:4:22: user_addons.helm_charts[0].values_schema: ${message}`]));
  });

  test('the draft its $schema names is the one checked: 2020-12 prefixItems', () => {
    const path = write({ args: ['--v=2', 3] }, 'schemas/2020.json', JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { args: { prefixItems: [{ type: 'string' }, { type: 'string' }] } } }));
    expect(() => load(path)).toThrow(/user_addons\.helm_charts\[0\]\.values\.args\[1\]: Instance type "number" is invalid\. Expected "string"\. \(values_schema schemas\/2020\.json\)$/);
  });
});

describe('user_addons: refused at config load', () => {
  test.each(['^1.16.0', '~1.16.2', '>=1.0.0', '1.16', '1.x', 'latest', '*', ''])('chart version %j', (version) => {
    expect(problemsOf({ user_addons: { helm_charts: [{ ...CERT_MANAGER, version }] } })).toEqual([
      `user_addons.helm_charts[0].version: ${JSON.stringify(version)} is not an exact chart version: give one version such as 1.16.2 (ranges, "latest" and partial versions install whatever the repository serves on the day)`,
    ]);
  });

  test.each([
    [
      'the name of a platform add-on',
      { helm_charts: [{ ...CERT_MANAGER, name: 'karpenter' }] },
      [`user_addons.helm_charts[0].name: "karpenter" is a name of the platform's add-ons (taken: ${PLATFORM_ADDON_NAMES.join(', ')})`],
    ],
    [
      'a name used twice',
      { helm_charts: [CERT_MANAGER], manifests: [{ ...ISSUERS, name: 'cert-manager' }] },
      ['user_addons.manifests[0].name: "cert-manager" is already user_addons.helm_charts[0]: add-on names must be unique'],
    ],
    [
      'an unknown dependency',
      { helm_charts: [{ ...CERT_MANAGER, depends_on: ['aws-load-balancer-controller', 'cluster-mesh-dns'] }] },
      [
        'user_addons.helm_charts[0].depends_on[1]: "cluster-mesh-dns" is not an add-on of this environment (user add-ons: cert-manager; platform add-ons: aws-load-balancer-controller, network-policy-baseline, argocd, karpenter)',
      ],
    ],
    [
      'a dependency cycle',
      { helm_charts: [{ ...CERT_MANAGER, depends_on: ['cluster-issuers'] }], manifests: [ISSUERS] },
      ['user_addons.helm_charts[0].depends_on: is a dependency cycle: cert-manager -> cluster-issuers -> cert-manager'],
    ],
    ['a manifest with neither file nor objects', { manifests: [{ name: 'team-a', namespace: 'team-a' }] }, ['user_addons.manifests[0]: needs file (a YAML file relative to this config) or objects (inline)']],
    ['a manifest with both', { manifests: [{ ...ISSUERS, depends_on: [], file: 'x.yaml' }] }, ['user_addons.manifests[0].objects: is set together with file: give one of them']],
    ['an object without metadata.name', { manifests: [{ ...ISSUERS, depends_on: [], objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: {} }] }] }, ['user_addons.manifests[0].objects[0].metadata.name: is required']],
    [
      'inline objects that create the release namespace, with create_namespace left true',
      { manifests: [{ name: 'team-a', namespace: 'team-a', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }] }] },
      ['user_addons.manifests[0].create_namespace: is true, but the objects create Namespace "team-a" themselves: set create_namespace: false (Helm would create the namespace first, then fail on the object: it exists and is not the release\'s)'],
    ],
    ['an http repository', { helm_charts: [{ ...CERT_MANAGER, repository: 'http://charts.jetstack.io' }] }, ['user_addons.helm_charts[0].repository: "http://charts.jetstack.io" must be an https:// chart repository or an oci:// registry URL']],
  ])('%s', (_case, addons, problems) => {
    expect(problemsOf({ user_addons: addons })).toEqual(problems);
  });

  test('an exact version with a v, a pre-release or build metadata is accepted; so is an oci:// registry', () => {
    for (const version of ['v1.16.2', '1.16.2', '2.0.0-rc.1', '1.0.0+build.5']) {
      expect(problemsOf({ user_addons: { helm_charts: [{ ...CERT_MANAGER, version, repository: 'oci://quay.io/jetstack/charts' }] } })).toEqual([]);
    }
  });

  test('multi-region: the mesh DNS add-on is a known dependency there', () => {
    const config = multiRegionConfig({ user_addons: { helm_charts: [{ ...CERT_MANAGER, depends_on: ['cluster-mesh-dns'] }] } });
    const mesh = defineMultiRegion(Testing.app(), planMultiRegion(config, { today: '2026-12-05' }));
    for (const { platform } of mesh.regions) expect([...platform.platform.installed.keys()].slice(-2)).toEqual(['cluster-mesh-dns', 'cert-manager']);
  });
});

describe('user add-ons as a library: the same refusals for a plan built in code', () => {
  const withUserAddons = (addons: UserAddon[]): PlatformPlan => ({ ...planPlatform(sandboxConfig()), userAddons: addons });
  const chart = (name: string, dependsOn: string[] = [], version = '1.0.0'): UserAddon => ({ kind: 'helm', name, namespace: 'apps', repository: 'https://charts.example.com', chart: name, version, dependsOn });

  test.each([
    [[chart('argocd')], 'add-on "argocd" is listed twice'],
    [[chart('a', ['b'])], 'add-on "a" needs "b", which is not enabled'],
    [[chart('a', ['b']), chart('b', ['a'])], 'add-on dependency cycle: a -> b -> a'],
    [[chart('a', [], 'latest')], 'user add-on "a": version "latest" is not an exact chart version: give one version such as 1.16.2 (ranges, "latest" and partial versions install whatever the repository serves on the day)'],
  ])('%#', (addons, message) => {
    expect(() => new EnvironmentPlatform(Testing.app(), withUserAddons(addons))).toThrow(new Error(message));
  });

  test('PLATFORM_ADDON_NAMES holds every add-on and Helm release name the platform uses', () => {
    const names = new Set<string>();
    const collect = (platform: EnvironmentPlatform) => {
      for (const name of platform.platform.installed.keys()) names.add(name);
      for (const stack of [platform.platform, ...(platform.cni ? [platform.cni] : [])]) {
        for (const release of Object.values(resourcesOf(Testing.synth(stack), Release))) names.add(String(release.name));
      }
    };
    collect(platformOf());
    for (const { platform } of defineMultiRegion(Testing.app(), planMultiRegion(multiRegionConfig(), { today: '2026-12-05' })).regions) collect(platform);
    expect([...names].sort()).toEqual([...PLATFORM_ADDON_NAMES]);
  });
});

describe('user add-ons that serve webhooks', () => {
  const overlay = { cilium_mode: 'overlay', cilium: { gateway_api: true } };
  const webhook = { ...CERT_MANAGER, serves_webhooks: { names: ['cert-manager-webhook'] } };
  const warnings = (config: ReturnType<typeof sandboxConfig>) => {
    const app = Testing.app();
    new EnvironmentPlatform(app, planPlatform(config));
    return collectAnnotations(app).filter((annotation) => annotation.message.includes('cert-manager'));
  };

  test('overlay mode: served from pods, the add-on is named in a warning on the platform stack', () => {
    expect(warnings(sandboxConfig({ ...overlay, user_addons: { helm_charts: [webhook] } }))).toEqual([
      {
        level: 'warn',
        path: 'sandbox-platform',
        message:
          'add-on "cert-manager" serves cert-manager-webhook from pods: in cilium_mode overlay the EKS control plane cannot reach pod addresses (cilium.pod_cidr is not routed in the VPC), so the API server\'s calls to them fail; run it with hostNetwork: true, or use cilium_mode eni (docs/CILIUM_ENABLEMENT.md#webhooks-in-overlay-mode)',
      },
    ]);
  });

  test('host_network: true, or ENI mode: no warning', () => {
    expect(warnings(sandboxConfig({ ...overlay, user_addons: { helm_charts: [{ ...webhook, serves_webhooks: { names: ['cert-manager-webhook'], host_network: true } }] } }))).toEqual([]);
    expect(warnings(sandboxConfig({ user_addons: { helm_charts: [webhook] } }))).toEqual([]);
  });
});

test('userAddon keeps a dependency the user names once, after the platform\'s', () => {
  expect(userAddon({ kind: 'helm', name: 'x', namespace: 'x', repository: 'https://c', chart: 'x', version: '1.0.0', dependsOn: ['argocd', 'y'] }, ['argocd', 'karpenter']).dependsOn).toEqual(['argocd', 'karpenter', 'y']);
  expect(SANDBOX_YAML).not.toContain('user_addons');
});

describe('add-ons written in code reach an app through define', () => {
  const inCode = { name: 'team-operator', deploy: (scope: Construct) => [new Release(scope, 'team-operator', { name: 'team-operator', chart: 'team-operator' })] };

  test('defineSingleRegion: additionalAddons count as the platform\'s, the config\'s user add-ons come after them', () => {
    const { platform } = defineSingleRegion(Testing.app(), sandboxConfig({ user_addons: { helm_charts: [CERT_MANAGER] } }), { today: '2026-12-05', additionalAddons: () => [inCode] });
    expect([...platform.platform.installed.keys()].slice(-2)).toEqual(['team-operator', 'cert-manager']);
    const releases = Object.values(resourcesOf(Testing.synth(platform.platform), Release));
    expect(releases.find((release) => release.name === 'cert-manager')!.depends_on).toContain('helm_release.team-operator');
  });

  test('defineMultiRegionEnvironment: every region gets them', () => {
    const mesh = defineMultiRegionEnvironment(Testing.app(), multiRegionConfig(), { today: '2026-12-05', additionalAddons: () => [inCode] });
    for (const { platform } of mesh.regions) expect([...platform.platform.installed.keys()].at(-1)).toBe('team-operator');
  });
});

describe('test/fixtures/escape-hatches.yaml: both hatches in one environment file', () => {
  const path = fileURLToPath(new URL('./fixtures/escape-hatches.yaml', import.meta.url));
  const config = loadEnvironmentConfig(path, { today: '2026-12-05' });
  const platform = new EnvironmentPlatform(Testing.app(), planPlatform(config, { today: '2026-12-05' }));

  test('loads with its manifest file and synthesizes: the statement in the Karpenter policy, the add-ons after the platform\'s', () => {
    expect(config.user_addons.manifests[0]!.objects!.map((object) => `${String(object.kind)}/${String((object.metadata as { name: string }).name)}`)).toEqual(['Namespace/team-a', 'ResourceQuota/team-a']);
    expect([...platform.platform.installed.keys()].slice(-2)).toEqual(['cert-manager', 'team-quotas']);
    const policy = Object.values(resourcesOf(Testing.synth(platform.compute), IamRolePolicy)).find((candidate) => candidate.name === 'karpenter-controller')!;
    expect(String(policy.policy)).toContain('{"Sid" = "ReadTeamSecrets", "Effect" = "Allow", "Action" = ["secretsmanager:GetSecretValue"]');
  });
});

test('a user manifest is checked against the pinned CRD like the platform\'s own objects', () => {
  const pool = { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'team-a' }, spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [] } }, weight: 500 } };
  const plan = { ...planPlatform(sandboxConfig()), userAddons: [{ kind: 'manifest', name: 'team-pools', namespace: 'kube-system', source: 'inline', objects: [pool] } satisfies UserAddon] };
  expect(() => new EnvironmentPlatform(Testing.app(), plan)).toThrow(/^team-pools chart: objects the pinned upstream schemas reject:\n  NodePool\/team-a: .*weight/);
});
