import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { Testing } from 'cdktf';
import { loadBalancerControllerPolicy } from '../src/features/load-balancer-controller/load-balancer-controller-policy.js';
import { loadBalancerControllerCrdsUrl, loadBalancerControllerValues, unknownFeatureGates, type LoadBalancerControllerValues } from '../src/features/load-balancer-controller/load-balancer-controller-addon.js';
import { chartFreeFormKeys, chartValueKeys, referenceKeyList, undeclaredValueKeys } from '../src/kubernetes/chart-values.js';
import { decideNetworking, type CiliumMode } from '../src/networking/decision.js';
import { partitionOf } from '../src/lib/private/aws.js';
import { AWS_LOAD_BALANCER_CONTROLLER_CHART, AWS_LOAD_BALANCER_CONTROLLER_VERSION } from '../src/versions.js';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';
import { normalized, sortedList, type Statement } from './iam-statements.js';

/** Upstream files at the pinned tag, committed with their source (reference/aws-load-balancer-controller-3.5.0/README.md). */
const REFERENCE = new URL(`../reference/aws-load-balancer-controller-${AWS_LOAD_BALANCER_CONTROLLER_CHART.version}/`, import.meta.url);
const read = (file: string) => readFileSync(new URL(file, REFERENCE), 'utf8');

const ACCOUNT = '111111111111';
const VPC = 'vpc-0123456789abcdef0';

/** The upstream statements in a region's partition (iam_policy_cn.json and _us-gov.json differ only in it). */
function upstreamStatements(region: string): Statement[] {
  return (JSON.parse(read('iam_policy.json').replace(/arn:aws:/g, `arn:${partitionOf(region)}:`)) as { Statement: Statement[] }).Statement;
}

const list = sortedList;
/** A canonical text of a statement (keys sorted), to compare lists of statements in any order. */
const canonical = (statement: Statement): string => JSON.stringify(normalized(statement), (_key, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value));

/**
 * Reviewed, intentional differences from the upstream policy, by the upstream statement's
 * actions. Each says what ours grants instead and why; any other difference fails the test.
 */
const INTENTIONAL_DIFFERENCES: Record<string, { why: string; ours: (upstream: Statement, region: string) => Statement[] }> = {
  'ec2:AuthorizeSecurityGroupIngress ec2:RevokeSecurityGroupIngress': {
    why: 'upstream grants rules on every security group of the account; its installation guide (docs/deploy/installation.md, "Configure IAM") recommends the ec2:Vpc condition: only groups in this cluster\'s VPC',
    ours: (upstream, region) => [{ ...upstream, Condition: { ArnEquals: { 'ec2:Vpc': `arn:${partitionOf(region)}:ec2:${region}:${ACCOUNT}:vpc/${VPC}` } } }],
  },
  'ec2:CreateSecurityGroup': {
    why: 'in this region only (the controller calls the EC2 endpoint of --aws-region)',
    ours: (upstream, region) => [{ ...upstream, Condition: { StringEquals: { 'aws:RequestedRegion': region } } }],
  },
  'elasticloadbalancing:CreateListener elasticloadbalancing:CreateRule elasticloadbalancing:DeleteListener elasticloadbalancing:DeleteRule': {
    why: 'in this region only (the ELBv2 endpoint of --aws-region)',
    ours: (upstream, region) => [{ ...upstream, Condition: { StringEquals: { 'aws:RequestedRegion': region } } }],
  },
  'elasticloadbalancing:AddListenerCertificates elasticloadbalancing:ModifyListener elasticloadbalancing:ModifyRule elasticloadbalancing:RemoveListenerCertificates elasticloadbalancing:SetRulePriorities elasticloadbalancing:SetWebAcl': {
    why: 'in this region only (the ELBv2 endpoint of --aws-region)',
    ours: (upstream, region) => [{ ...upstream, Condition: { StringEquals: { 'aws:RequestedRegion': region } } }],
  },
  'acm:DescribeCertificate acm:ListCertificates cognito-idp:DescribeUserPoolClient iam:GetServerCertificate iam:ListServerCertificates shield:CreateProtection shield:DeleteProtection shield:DescribeProtection shield:GetSubscriptionState waf-regional:AssociateWebACL waf-regional:DisassociateWebACL waf-regional:GetWebACL waf-regional:GetWebACLForResource wafv2:AssociateWebACL wafv2:DisassociateWebACL wafv2:GetWebACL wafv2:GetWebACLForResource': {
    why: 'one statement split in three, same actions: the reads stay on "*"; WAF associations (regional APIs) in this region only; Shield protections (a global API: no region condition fits) of this account only',
    ours: (upstream, region) => {
      const actions = list(upstream.Action);
      const writes = (service: RegExp) => actions.filter((action) => service.test(action) && /:(Associate|Disassociate|Create|Delete)/.test(action));
      const wafWrites = writes(/^waf/);
      const shieldWrites = writes(/^shield:/);
      return [
        { Effect: 'Allow', Action: actions.filter((action) => !wafWrites.includes(action) && !shieldWrites.includes(action)), Resource: '*' },
        { Effect: 'Allow', Action: wafWrites, Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': region } } },
        { Effect: 'Allow', Action: shieldWrites, Resource: `arn:${partitionOf(region)}:shield::${ACCOUNT}:protection/*` },
      ];
    },
  },
};

const key = (statement: Statement) => list(statement.Action).join(' ');
const ours = (region: string) => (loadBalancerControllerPolicy({ region, accountId: ACCOUNT, vpcId: VPC }) as { Statement: Statement[] }).Statement;

describe(`AWS Load Balancer Controller policy against the upstream ${AWS_LOAD_BALANCER_CONTROLLER_VERSION} iam_policy.json`, () => {
  test.each(['us-west-2', 'cn-north-1', 'us-gov-west-1'])('%s: every upstream statement, same actions, resources and conditions, apart from the reviewed differences', (region) => {
    const upstream = upstreamStatements(region);
    expect(upstream).toHaveLength(16);
    const expected = upstream.flatMap((statement) => INTENTIONAL_DIFFERENCES[key(statement)]?.ours(statement, region) ?? [statement]);
    expect(ours(region).map(canonical).sort()).toEqual(expected.map(canonical).sort());
  });

  test('no action is added or lost, and every statement has its own Sid', () => {
    const granted = (statements: Statement[]) => [...new Set(statements.flatMap((statement) => list(statement.Action)))].sort();
    expect(granted(ours('us-west-2'))).toEqual(granted(upstreamStatements('us-west-2')));
    const sids = ours('us-west-2').map((statement) => statement.Sid);
    expect(new Set(sids).size).toBe(sids.length);
  });

  test('the reviewed differences are real differences of existing upstream statements (an entry that no longer differs must be removed)', () => {
    const upstream = upstreamStatements('us-west-2');
    for (const [actions, difference] of Object.entries(INTENTIONAL_DIFFERENCES)) {
      const statement = upstream.find((candidate) => key(candidate) === actions);
      expect(statement, actions).toBeDefined();
      expect(difference.ours(statement!, 'us-west-2').map(canonical), actions).not.toEqual([canonical(statement!)]);
    }
  });

  test('no write on "*" is left without a condition (policy rule IAM-002 holds without a suppression)', () => {
    const { cluster } = synthPlatform(sandboxConfig());
    const policy = Object.values(resourcesOf(cluster, IamRolePolicy)).find((entry) => entry.name === 'aws-load-balancer-controller')!;
    expect(policy).toBeDefined();
    const unscoped = ours('us-west-2').filter((statement) => list(statement.Resource).includes('*') && !statement.Condition && list(statement.Action).some((action) => !/:(Describe|Get|List)/.test(action)));
    expect(unscoped).toEqual([]);
  });
});

describe(`AWS Load Balancer Controller chart values against chart ${AWS_LOAD_BALANCER_CONTROLLER_CHART.version}`, () => {
  const keys = referenceKeyList(`aws-load-balancer-controller-${AWS_LOAD_BALANCER_CONTROLLER_CHART.version}/values-keys.txt`);
  const values = (mode: CiliumMode | 'vpc-cni') =>
    loadBalancerControllerValues(
      { clusterName: 'sandbox', region: 'us-west-2', vpcId: VPC },
      mode === 'vpc-cni'
        ? decideNetworking({ enableCilium: true, enableFargate: true, ciliumMode: 'eni', enableKubeProxyReplacement: true, enableHubble: true })
        : decideNetworking({ enableCilium: true, enableFargate: false, ciliumMode: mode, enableKubeProxyReplacement: true, enableHubble: true }),
    );

  test('values-keys.txt is every key path of the committed values.yaml', () => {
    expect([...keys]).toEqual(chartValueKeys(parse(read('values.yaml'))));
  });

  test('free-form-keys.txt is every empty map or list of the committed values.yaml (read by the helm_values check)', () => {
    expect([...referenceKeyList(`aws-load-balancer-controller-${AWS_LOAD_BALANCER_CONTROLLER_CHART.version}/free-form-keys.txt`)]).toEqual(chartFreeFormKeys(parse(read('values.yaml'))));
  });

  test.each(['eni', 'overlay', 'vpc-cni'] as const)('%s: every key the project sets is declared (feature gates and the PDB are free-form maps)', (mode) => {
    expect(undeclaredValueKeys(values(mode), keys, ['controllerConfig.featureGates', 'podDisruptionBudget'])).toEqual([]);
    expect(unknownFeatureGates(values(mode))).toEqual([]);
  });

  test('the checks catch a misspelled key and an unknown feature gate', () => {
    expect(undeclaredValueKeys({ ...values('eni'), defaultTargetTyp: 'ip' }, keys)).toContain('defaultTargetTyp');
    const misspelled: LoadBalancerControllerValues = { ...values('eni'), controllerConfig: { featureGates: { NLBGatewayApi: false } } };
    expect(unknownFeatureGates(misspelled)).toEqual(['NLBGatewayApi']);
  });

  test('the Gateway API controllers are off explicitly: all three gates set, or the controller detects the Gateway CRDs Cilium needs and starts them', () => {
    const gates = values('eni').controllerConfig.featureGates;
    expect({ NLBGatewayAPI: gates.NLBGatewayAPI, ALBGatewayAPI: gates.ALBGatewayAPI, GatewayListenerSet: gates.GatewayListenerSet }).toEqual({ NLBGatewayAPI: false, ALBGatewayAPI: false, GatewayListenerSet: false });
    const defaults = Object.fromEntries([...referenceKeyList(`aws-load-balancer-controller-${AWS_LOAD_BALANCER_CONTROLLER_CHART.version}/feature-gates.txt`)].map((line) => line.split(' ')));
    // Upstream defaults them on; what this test guards.
    expect([defaults.NLBGatewayAPI, defaults.ALBGatewayAPI, defaults.GatewayListenerSet]).toEqual(['true', 'true', 'true']);
  });

  test.each([
    // Pods have VPC addresses: a Service may ask for ip targets.
    ['eni', { hostNetwork: false, ipTargets: true }],
    // Pod addresses are not routed in the VPC: ip targets refused, webhooks served from the node.
    ['overlay', { hostNetwork: true, ipTargets: false }],
    ['vpc-cni', { hostNetwork: false, ipTargets: true }],
  ] as const)('%s: %o', (mode, expected) => {
    const chosen = values(mode);
    expect({ hostNetwork: chosen.hostNetwork, ipTargets: chosen.controllerConfig.featureGates.EnableIPTargetType }).toEqual(expected);
    expect(chosen.dnsPolicy).toBe(expected.hostNetwork ? 'ClusterFirstWithHostNet' : undefined);
    // Instance targets by default in every mode: Cilium's Gateway Services have no pods behind them.
    expect(chosen.defaultTargetType).toBe('instance');
    expect(chosen.defaultLoadBalancerScheme).toBe('internal');
  });
});

describe('AWS Load Balancer Controller in the synthesized stacks', () => {
  const { platform, cluster } = synthPlatform(sandboxConfig());
  const platformStack = Testing.synth(platform.platform);

  test('cluster stack: its role is bound to kube-system/aws-load-balancer-controller through Pod Identity, after the agent', () => {
    const association = Object.values(resourcesOf(cluster, EksPodIdentityAssociation)).find((entry) => entry.service_account === 'aws-load-balancer-controller')!;
    expect(association).toMatchObject({ namespace: 'kube-system', depends_on: ['aws_eks_addon.addon-eks-pod-identity-agent'] });
    expect(String(association.role_arn)).toMatch(/aws-load-balancer-controller/);
  });

  test('platform stack: the pinned chart without its crds/, the CRDs of the same tag applied first, region and VPC given', () => {
    const release = resourcesOf(platformStack, Release)['aws-load-balancer-controller']!;
    expect(release).toMatchObject({
      repository: 'https://aws.github.io/eks-charts',
      chart: 'aws-load-balancer-controller',
      version: '3.5.0',
      namespace: 'kube-system',
      skip_crds: true,
      wait: true,
      depends_on: ['terraform_data.aws-load-balancer-controller-crds'],
    });
    const chartValues = parse((release.values as string[])[0]!) as LoadBalancerControllerValues;
    expect(chartValues).toMatchObject({ clusterName: 'sandbox', region: 'us-west-2', defaultLoadBalancerScheme: 'internal', hostNetwork: false });
    // The VPC id is the network stack's output: an apply-time `set`.
    expect((release.set as Array<{ name: string }>).map((entry) => entry.name)).toEqual(['vpcId']);
    const crds = (JSON.parse(platformStack) as { resource: { terraform_data: Record<string, { triggers_replace: object; provisioner: Array<{ 'local-exec': { environment: Record<string, string> } }> }> } }).resource.terraform_data['aws-load-balancer-controller-crds']!;
    expect(crds.triggers_replace).toEqual({ version: 'v3.5.0' });
    expect(crds.provisioner[0]!['local-exec'].environment.MANIFEST_URL).toBe(loadBalancerControllerCrdsUrl());
    expect(loadBalancerControllerCrdsUrl()).toBe('https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/helm/aws-load-balancer-controller/crds/crds.yaml');
  });

  test('load_balancers.default_scheme reaches the controller', () => {
    const publicScheme = synthPlatform(sandboxConfig({ load_balancers: { default_scheme: 'internet-facing' } }));
    const release = resourcesOf(Testing.synth(publicScheme.platform.platform), Release)['aws-load-balancer-controller']!;
    expect((parse((release.values as string[])[0]!) as LoadBalancerControllerValues).defaultLoadBalancerScheme).toBe('internet-facing');
  });
});
