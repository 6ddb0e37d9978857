import { describe, expect, test } from 'vitest';
import { attributeChanges } from '../src/attributes.js';
import { reviewUpgrades } from '../src/upgrades.js';
import { renderReview } from '../src/render.js';
import type { ResourceChange, TerraformPlan } from '../src/plan.js';

const update = (address: string, type: string, before: object, after: object, extra: Partial<ResourceChange['change']> = {}): ResourceChange => ({
  address,
  type,
  mode: 'managed',
  change: { actions: ['update'], before, after, ...extra },
});
const plan = (...changes: ResourceChange[]): TerraformPlan => ({ resource_changes: changes });

describe('attributeChanges: from what to what', () => {
  test('nested blocks by path, lists of plain values whole, unknown values named', () => {
    expect(
      attributeChanges({
        actions: ['update'],
        before: { version: '1.35', scaling_config: [{ min_size: 1, max_size: 3 }], subnet_ids: ['a', 'b'], tags: { Team: 'x' } },
        after: { version: '1.36', scaling_config: [{ min_size: 1, max_size: 4 }], subnet_ids: ['a', 'c'], tags: { Team: 'x' } },
        after_unknown: { arn: true, scaling_config: [{}] },
      }),
    ).toEqual([
      { path: 'arn', before: '(none)', after: '(known after apply)' },
      { path: 'scaling_config[0].max_size', before: '`3`', after: '`4`' },
      { path: 'subnet_ids', before: '`["a","b"]`', after: '`["a","c"]`' },
      { path: 'version', before: '`"1.35"`', after: '`"1.36"`' },
    ]);
  });

  test('sensitive values are masked on the side Terraform marks, nested or whole', () => {
    expect(
      attributeChanges({
        actions: ['update'],
        before: { set_sensitive: [{ name: 'token', value: 'old-secret' }], password: 'p1' },
        after: { set_sensitive: [{ name: 'token', value: 'new-secret' }], password: 'p2' },
        before_sensitive: { set_sensitive: [{ value: true }], password: true },
        after_sensitive: { set_sensitive: [{ value: true }], password: true },
      }),
    ).toEqual([
      { path: 'password', before: '(sensitive)', after: '(sensitive)' },
      { path: 'set_sensitive[0].value', before: '(sensitive)', after: '(sensitive)' },
    ]);
  });

  test('a JSON document in a string (an IAM policy) is compared inside; multi-line values line by line', () => {
    const policy = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
    expect(attributeChanges({ actions: ['update'], before: { policy: policy(['ec2:DescribeInstances']) }, after: { policy: policy(['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus']) } })).toEqual([
      { path: 'policy{json}.Statement[0].Action', before: '`["ec2:DescribeInstances"]`', after: '`["ec2:DescribeInstances","ec2:DescribeInstanceStatus"]`' },
    ]);
    expect(attributeChanges({ actions: ['update'], before: { values: ['a: 1\nb: 2\nc: 3'] }, after: { values: ['a: 1\nb: 5\nc: 3'] } })).toEqual([
      { path: 'values[0]', before: '`"b: 2"`', after: '(none)' },
      { path: 'values[0]', before: '(none)', after: '`"b: 5"`' },
    ]);
  });

  test('a long value is cut with its length', () => {
    const [change] = attributeChanges({ actions: ['update'], before: { user_data: 'x'.repeat(300) }, after: { user_data: 'y'.repeat(300) } });
    expect(change!.before).toBe(`\`"${'x'.repeat(99)}…\` (302 characters)`);
  });
});

describe('reviewUpgrades: the upgrade in order, and the rules EKS enforces', () => {
  const cluster = (from: string, to: string) => update('aws_eks_cluster.control-plane_cluster', 'aws_eks_cluster', { name: 'sandbox', version: from }, { name: 'sandbox', version: to });
  const addon = (name: string, from: string, to: string) =>
    update(`aws_eks_addon.addon-${name}`, 'aws_eks_addon', { addon_name: name, cluster_name: 'sandbox', addon_version: from }, { addon_name: name, cluster_name: 'sandbox', addon_version: to });
  const nodeGroup = (from: string, to: string) =>
    update('aws_eks_node_group.node-group-system', 'aws_eks_node_group', { node_group_name: 'system', cluster_name: 'sandbox', version: from }, { node_group_name: 'system', cluster_name: 'sandbox', version: to });

  test('one minor up: cluster, add-ons, node groups and charts from -> to, stack by stack; nothing refused', () => {
    const chart = update('helm_release.cilium', 'helm_release', { name: 'cilium', chart: 'cilium', version: '1.19.6' }, { name: 'cilium', chart: 'cilium', version: '1.20.2' });
    const result = reviewUpgrades([
      { stack: 'sandbox-cluster', plan: plan(cluster('1.35', '1.36'), addon('eks-pod-identity-agent', 'v1.3.10-eksbuild.3', 'v1.3.10-eksbuild.3')) },
      { stack: 'sandbox-cni', plan: plan(chart) },
      { stack: 'sandbox-compute', plan: plan(nodeGroup('1.35', '1.36'), addon('coredns', 'v1.13.2-eksbuild.11', 'v1.14.3-eksbuild.3')) },
    ]);
    expect(result.steps.map((step) => `${step.stack} | ${step.component} | ${step.from} -> ${step.to}`)).toEqual([
      'sandbox-cluster | cluster sandbox | 1.35 -> 1.36',
      'sandbox-cni | chart cilium (release cilium) | 1.19.6 -> 1.20.2',
      'sandbox-compute | node group system (sandbox) | 1.35 -> 1.36',
      'sandbox-compute | add-on coredns (sandbox) | v1.13.2-eksbuild.11 -> v1.14.3-eksbuild.3',
    ]);
    expect(result.refusals).toEqual([]);
    expect(result.notChecked).toEqual([]);
  });

  test('two minors up, and down, are refused with the step to take', () => {
    expect(reviewUpgrades([{ stack: 'sandbox-cluster', plan: plan(cluster('1.34', '1.36')) }]).refusals).toEqual([
      'sandbox-cluster: aws_eks_cluster.control-plane_cluster: Kubernetes 1.34 -> 1.36 skips 1.35: EKS upgrades a control plane one minor version at a time; deploy 1.35 first',
    ]);
    expect(reviewUpgrades([{ stack: 'sandbox-cluster', plan: plan(cluster('1.36', '1.35')) }]).refusals).toEqual([
      'sandbox-cluster: aws_eks_cluster.control-plane_cluster: Kubernetes 1.36 -> 1.35 is a downgrade, which EKS does not support',
    ]);
  });

  test('a node group newer than its control plane is refused; without the control plane it is said not checked', () => {
    const compute = { stack: 'sandbox-compute', plan: plan(nodeGroup('1.35', '1.36')) };
    expect(reviewUpgrades([compute], new Map([['sandbox', '1.35']])).refusals).toEqual([
      "sandbox-compute: aws_eks_node_group.node-group-system: node group version 1.36 is newer than its control plane's 1.35 (cluster sandbox): upgrade the control plane first",
    ]);
    expect(reviewUpgrades([{ stack: 'sandbox-cluster', plan: plan(cluster('1.35', '1.36')) }, compute], new Map([['sandbox', '1.35']])).refusals).toEqual([]);
    expect(reviewUpgrades([compute])).toMatchObject({
      refusals: [],
      notChecked: ['sandbox-compute: aws_eks_node_group.node-group-system: the control plane of sandbox is not in these plans; its version was not compared'],
    });
  });

  test('the review shows the upgrade and refuses what EKS would refuse, whatever the environment', () => {
    const review = renderReview([{ stack: 'sandbox-cluster', plan: plan(cluster('1.34', '1.36')) }], { environment: 'sandbox' });
    expect(review.refused).toBe(true);
    expect(review.markdown).toContain(
      [
        '### Upgrade (1)',
        '',
        'Version changes in the order they roll: stack by stack, as deployed.',
        '',
        '| stack | component | from | to |',
        '|---|---|---|---|',
        '| sandbox-cluster | cluster sandbox | 1.34 | 1.36 |',
        '',
        '### Refused upgrade steps (1)',
        '',
        '- sandbox-cluster: aws_eks_cluster.control-plane_cluster: Kubernetes 1.34 -> 1.36 skips 1.35: EKS upgrades a control plane one minor version at a time; deploy 1.35 first',
        '',
        '**Refused:** EKS would reject these version changes, or nodes would run ahead of their control plane; no override applies.',
      ].join('\n'),
    );
    expect(review.markdown).toContain('- `aws_eks_cluster.control-plane_cluster` (changed: version)\n  - `version`: `"1.34"` → `"1.36"`');
  });
});
