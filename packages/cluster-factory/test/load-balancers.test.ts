import { describe, expect, test } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { DataKubernetesServiceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { planMultiRegion } from '../src/plan/multi-region-plan.js';
import { defineMultiRegion } from '../src/cluster-mesh/multi-region-platform.js';
import { waitForLoadBalancerCommands } from '../src/features/cluster-mesh-dns/cluster-mesh-dns.js';
import { clusterMeshApiServerService } from '../src/features/cilium/values.js';
import { unreachableWebhookWarnings } from '../src/stacks/platform-addons-stack.js';
import { loadBalancerControllerAddon } from '../src/features/load-balancer-controller/load-balancer-controller-addon.js';
import { kubectlScript } from '../src/lib/private/kubernetes-providers.js';
import type { ClusterInfo, PlatformAddon } from '../src/addons/addon.js';
import { decideNetworking, type CiliumMode } from '../src/networking/decision.js';
import { resourcesOf } from '../testing/index.js';
import { multiRegionConfig, sandboxConfig } from './fixtures.js';

const cluster = (mode: CiliumMode): ClusterInfo => ({
  clusterName: 'c',
  region: 'us-west-2',
  accountId: '111111111111',
  environment: 'e',
  networking: decideNetworking({ enableCilium: true, enableFargate: false, ciliumMode: mode, enableKubeProxyReplacement: true, enableHubble: true }),
  identities: {},
});

describe('the clustermesh API server load balancer', () => {
  test.each([
    // ENI mode: its pods have VPC addresses, the NLB targets them directly.
    ['eni', 'ip'],
    // Overlay mode: pod addresses mean nothing in the VPC, the NLB targets every node's NodePort.
    ['overlay', 'instance'],
  ] as const)('%s: an internal NLB of the controller, %s targets, reachable from the mesh VPCs only', (mode, targetType) => {
    expect(clusterMeshApiServerService(mode, ['10.40.0.0/16', '10.41.0.0/16'])).toEqual({
      type: 'LoadBalancer',
      // Set by the chart: the Service exists before the controller (no node yet), and with the
      // class the in-tree controller never makes it a Classic ELB.
      loadBalancerClass: 'service.k8s.aws/nlb',
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': targetType,
        'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
      },
      loadBalancerSourceRanges: ['10.40.0.0/16', '10.41.0.0/16'],
    });
  });

  test('overlay mesh: the cni stack renders instance targets', () => {
    const base = multiRegionConfig();
    const overlay = multiRegionConfig({ cilium_mode: 'overlay', regions: base.regions.map((entry, index) => ({ ...entry, pod_cidr: `10.${100 + index}.0.0/16` })) });
    const mesh = defineMultiRegion(Testing.app(), planMultiRegion(overlay));
    const values = parse((resourcesOf(Testing.synth(mesh.regions[0]!.platform.cni!), Release).cilium!.values as string[])[0]!) as {
      clustermesh: { apiserver: { service: { annotations: Record<string, string> } } };
    };
    expect(values.clustermesh.apiserver.service.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type']).toBe('instance');
  });

  test('its DNS record waits for the controller: add-on after it, the Service read after its NLB exists', () => {
    const mesh = defineMultiRegion(Testing.app(), planMultiRegion(multiRegionConfig()));
    const stack = Testing.synth(mesh.regions[0]!.platform.platform);
    const service = (JSON.parse(stack) as { data: Record<string, Record<string, { depends_on: string[] }>> }).data[DataKubernetesServiceV1.tfResourceType]!['clustermesh-apiserver']!;
    expect(service.depends_on).toEqual(['terraform_data.clustermesh-apiserver-load-balancer']);
    const wait = (JSON.parse(stack) as { resource: { terraform_data: Record<string, { depends_on: string[] }> } }).resource.terraform_data['clustermesh-apiserver-load-balancer']!;
    expect(wait.depends_on).toEqual(['terraform_data.aws-load-balancer-controller-crds', 'helm_release.aws-load-balancer-controller']);
  });

  test.each([
    ['the host name appears on the third read', 3, 0, 'clustermesh-apiserver: nlb.example\n'],
    ['no host name before the deadline', 99, 1, ''],
  ])('the wait: %s', (_name, appearsAt, status, stdout) => {
    const bin = mkdtempSync(join(tmpdir(), 'nlb-wait-'));
    const count = join(bin, 'count');
    writeFileSync(count, '0');
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('aws', 'exit 0');
    stub('sleep', 'exit 0');
    // kubectl: the Service gets its host name on the Nth read.
    stub('kubectl', `[ "$3 $4 $5 $6 $7" = "-n kube-system get service clustermesh-apiserver" ] || exit 9; n=$(( $(cat ${count}) + 1 )); echo $n > ${count}; [ $n -ge ${appearsAt} ] && printf nlb.example; exit 0`);
    const run = spawnSync('/bin/bash', ['-c', kubectlScript(waitForLoadBalancerCommands(15))], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin, CLUSTER_NAME: 'c', AWS_REGION: 'us-west-2' },
      encoding: 'utf8',
    });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status, stdout });
    if (status !== 0) expect(run.stderr).toContain('clustermesh-apiserver has no load balancer after 15s');
  });
});

describe('ordering: the controller and its webhook before the Services it must own', () => {
  test('Argo CD (it syncs Gateways and Services) is installed after the controller; a user add-on can say so too', () => {
    const platform = new EnvironmentPlatform(Testing.app(), planPlatform(sandboxConfig()), {
      additionalAddons: () => [{ name: 'ingress-app', dependsOn: ['aws-load-balancer-controller'], deploy: (scope) => [new Release(scope, 'app', { name: 'app', chart: 'app' })] }],
    });
    const releases = resourcesOf(Testing.synth(platform.platform), Release);
    const controller = ['terraform_data.aws-load-balancer-controller-crds', 'helm_release.aws-load-balancer-controller'];
    expect(releases.argocd!.depends_on).toEqual(controller);
    expect(releases.app!.depends_on).toEqual(controller);
  });
});

describe('webhooks in overlay mode', () => {
  const podWebhooks: PlatformAddon = { name: 'cert-issuer', servedWebhooks: () => ({ names: ['webhook.cert-issuer.io'], hostNetwork: false }), deploy: () => [] };

  test('overlay: an add-on serving webhooks from pods is named, with why and what to do', () => {
    expect(unreachableWebhookWarnings([podWebhooks], cluster('overlay'))).toEqual([
      'add-on "cert-issuer" serves webhook.cert-issuer.io from pods: in cilium_mode overlay the EKS control plane cannot reach pod addresses (cilium.pod_cidr is not routed in the VPC), so the API server\'s calls to them fail; run it with hostNetwork: true, or use cilium_mode eni (docs/CILIUM_ENABLEMENT.md#webhooks-in-overlay-mode)',
    ]);
  });

  test('ENI mode: pods have VPC addresses, nothing to warn about', () => {
    expect(unreachableWebhookWarnings([podWebhooks], cluster('eni'))).toEqual([]);
  });

  test('the platform\'s own: the load balancer controller serves its webhooks from the node network in overlay mode, so no warning', () => {
    const controller = loadBalancerControllerAddon({ clusterName: 'c', region: 'us-west-2', vpcId: 'vpc-1' });
    expect(controller.servedWebhooks!(cluster('overlay'))).toMatchObject({ hostNetwork: true });
    expect(controller.servedWebhooks!(cluster('eni'))).toMatchObject({ hostNetwork: false });
    expect(unreachableWebhookWarnings([controller], cluster('overlay'))).toEqual([]);
  });

  test('synth prints the warning on the platform stack', () => {
    const platform = new EnvironmentPlatform(Testing.app(), planPlatform(sandboxConfig({ cilium_mode: 'overlay', cilium: { gateway_api: false } })), { additionalAddons: () => [podWebhooks] });
    const warnings = platform.platform.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^add-on "cert-issuer" serves webhook\.cert-issuer\.io from pods/);
  });
});
