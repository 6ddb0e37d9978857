import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { App, TerraformStack, Testing } from 'cdktf';
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { type ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ManifestChart } from '../src/kubernetes/manifest-chart.js';
import { kubernetesObjectProblems } from '../src/kubernetes/validate.js';
import { crdSchemaProblems, unknownFields } from '../src/kubernetes/crd-schema.js';
import { networkPolicyBaselineObjects } from '../src/features/network-policy-baseline/network-policy-baseline.js';
import { argocdAppsEntry, platformApplicationSet, ARGOCD_VALUES } from '../src/features/argocd/argocd.js';
import { referenceKeyList, undeclaredValueKeys } from '../src/kubernetes/chart-values.js';
import { ARGOCD_APPS_CHART, ARGOCD_CHART } from '../src/versions.js';
import { decideNetworking } from '../src/networking/decision.js';
import type { ClusterInfo } from '../src/addons/addon.js';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';

const CLUSTER: ClusterInfo = {
  clusterName: 'c1',
  region: 'us-west-2',
  accountId: '111111111111',
  environment: 'test',
  networking: decideNetworking({ enableCilium: true, enableFargate: false, ciliumMode: 'eni', enableKubeProxyReplacement: true, enableHubble: true }),
  identities: {},
};
const REPO = { repoUrl: 'https://git.example.com/gitops.git', revision: 'main', path: 'clusters' };

describe('ManifestChart: plain YAML, validated', () => {
  test('writes each object as one plain YAML template, in order, and validates them', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const chart = new ManifestChart(stack, 'policies', { name: 'policies', description: 'test', objects: networkPolicyBaselineObjects('us-west-2') });
    const outdir = Testing.fullSynth(stack);
    const assetDir = join(outdir, 'stacks', 'test', chart.path);
    expect(readdirSync(join(assetDir, 'templates'))).toEqual([
      '01-namespace-policy-examples.yaml',
      '02-ciliumnetworkpolicy-api-allow-frontend-http.yaml',
      '03-ciliumclusterwidenetworkpolicy-restricted-internet-egress.yaml',
    ]);
    expect(parse(readFileSync(join(assetDir, 'Chart.yaml'), 'utf8'))).toEqual({ apiVersion: 'v2', name: 'policies', description: 'test', type: 'application', version: '1.0.0' });
    const cnp = parseAllDocuments(readFileSync(join(assetDir, 'templates', '02-ciliumnetworkpolicy-api-allow-frontend-http.yaml'), 'utf8'));
    expect(cnp).toHaveLength(1);
    expect(cnp[0]!.toJS()).toMatchObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api-allow-frontend-http', namespace: 'policy-examples' } });
  });

  test('refuses an object its upstream schema rejects, naming the object and field', () => {
    const bad = new CiliumNetworkPolicy({ metadata: { name: 'bad' }, spec: { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 5 as unknown as string }] }] } });
    expect(() => new ManifestChart(new TerraformStack(new App(), 's'), 'c', { name: 'c', description: 'd', objects: [bad] })).toThrow(
      'c chart: objects the pinned upstream schemas reject:\n  CiliumNetworkPolicy/bad: data/spec/egress/0/toFQDNs/0/matchName must be string',
    );
  });

  test('refuses "{{" (Helm would render it)', () => {
    const templated = new CiliumNetworkPolicy({ metadata: { name: 'templated', labels: { a: '{{ .Values.x }}' } }, spec: { endpointSelector: {}, ingress: [{}] } });
    expect(() => new ManifestChart(new TerraformStack(new App(), 's'), 'c', { name: 'c', description: 'd', objects: [templated] })).toThrow(
      'c chart: CiliumNetworkPolicy/templated contains "{{", which Helm would render as a template',
    );
  });

  test('the network policy baseline validates against the upstream Cilium models', () => {
    expect(kubernetesObjectProblems(networkPolicyBaselineObjects('us-west-2'))).toEqual([]);
  });
});

describe('CRD schema check with unknown fields', () => {
  test('the ApplicationSet validates against the argo-cd 9.5.14 CRD', () => {
    expect(crdSchemaProblems(platformApplicationSet(CLUSTER, REPO))).toEqual([]);
  });

  test('a misspelled field is reported (the API server would prune it silently), and a wrong type', () => {
    const appset = platformApplicationSet(CLUSTER, REPO).toJSON() as { spec: Record<string, unknown> };
    appset.spec.goTemplateOption = ['missingkey=error'];
    appset.spec.goTemplate = 'yes';
    expect(crdSchemaProblems(appset as unknown as ApplicationSet)).toEqual(['spec.goTemplate: Instance type "string" is invalid. Expected "boolean".', 'spec.goTemplateOption: unknown field']);
  });

  test('problems inside array items name the item: a missing required field and a wrong type, each once', () => {
    const appset = platformApplicationSet(CLUSTER, REPO).toJSON() as { spec: { generators: Record<string, unknown>[]; template: { spec: Record<string, unknown> } } };
    appset.spec.generators[0] = { git: { repoURL: 'https://git.example.com/platform.git' } };
    appset.spec.template.spec.project = 7;
    expect(crdSchemaProblems(appset as unknown as ApplicationSet)).toEqual([
      'spec.generators[0].git: Instance does not have required property "revision".',
      'spec.template.spec.project: Instance type "number" is invalid. Expected "string".',
    ]);
  });

  test('a problem of the object itself is at (root)', () => {
    expect(crdSchemaProblems({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool' })).toEqual(['(root): Instance does not have required property "spec".']);
  });

  test('unknownFields honours additionalProperties and x-kubernetes-preserve-unknown-fields', () => {
    const schema = {
      type: 'object',
      properties: { labels: { type: 'object', additionalProperties: { type: 'string' } }, raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, known: { type: 'string' } },
    };
    expect(unknownFields({ labels: { any: 'x' }, raw: { anything: { goes: 1 } }, known: 'k', typo: 1 }, schema)).toEqual(['typo: unknown field']);
  });
});

describe('Argo CD charts: every value key exists in the pinned version', () => {
  test(`argo-cd ${ARGOCD_CHART.version}: the values this project sets are declared (configs.params is free-form)`, () => {
    const declared = referenceKeyList(`argo-cd-${ARGOCD_CHART.version}/values-keys.txt`);
    expect(undeclaredValueKeys(ARGOCD_VALUES, declared, ['configs.params'])).toEqual([]);
    expect(undeclaredValueKeys({ dex: { enabeld: false } }, declared, ['configs.params'])).toEqual(['dex.enabeld']);
  });

  test(`argocd-apps ${ARGOCD_APPS_CHART.version} renders every ApplicationSet key set (goTemplateOptions included)`, () => {
    const entry = argocdAppsEntry(platformApplicationSet(CLUSTER, REPO));
    expect(Object.keys(entry).sort()).toEqual(['generators', 'goTemplate', 'goTemplateOptions', 'namespace', 'template']);
  });

  test('argocd-apps 2.0.2 would drop goTemplateOptions: the check refuses it', () => {
    expect(() => argocdAppsEntry(platformApplicationSet(CLUSTER, REPO), '2.0.2')).toThrow(
      'ApplicationSet platform-addons: argocd-apps 2.0.2 would drop goTemplateOptions (it does not render them)',
    );
  });

  test('the synthesized platform stack carries the checked ApplicationSet in the argocd-apps values', () => {
    const { platform } = synthPlatform(sandboxConfig());
    const release = resourcesOf(Testing.synth(platform.platform!), Release)['argocd-applicationsets']!;
    expect(release.version).toBe(ARGOCD_APPS_CHART.version);
    const values = parse((release.values as string[])[0]!) as { applicationsets: Record<string, Record<string, unknown>> };
    expect(values.applicationsets['platform-addons']).toMatchObject({ namespace: 'argocd', goTemplate: true, goTemplateOptions: ['missingkey=error'] });
  });
});
