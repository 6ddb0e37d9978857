import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseEnvironmentConfig, resolveConfigPath } from '../src/config/load.js';
import { MAX_CONFIG_TAGS } from '../src/config/schema.js';

const SANDBOX = readFileSync(fileURLToPath(new URL('./fixtures/environment.yaml', import.meta.url)), 'utf8');

/** The sandbox file with one exact piece of text replaced; fails loudly if it is not there. */
function variant(from: string | RegExp, to: string): string {
  const changed = SANDBOX.replace(from, to);
  if (changed === SANDBOX) throw new Error(`fixture text not found: ${String(from)}`);
  return changed;
}

function problems(text: string): string[] {
  try {
    parseEnvironmentConfig(text, 'environments/bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the config to be rejected');
}

describe('environment config', () => {
  test('the sandbox file is valid and defaults are applied', () => {
    const config = parseEnvironmentConfig(SANDBOX, 'environments/sandbox.yaml');
    expect(config.name).toBe('sandbox');
    expect(config.node_groups[0]).toMatchObject({ name: 'system', disk_size_gib: 50, capacity_type: 'ON_DEMAND' });
    expect(config.fargate_profiles).toEqual([]);
  });

  test.each([
    ['unknown key', `${SANDBOX}colour: blue\n`, 'environments/bad.yaml:63:1: colour: unknown key (allowed here: name, aws_account_id, region, availability_zones, vpc_cidr, kubernetes_version, upgrade_policy, enable_cilium, enable_fargate, enable_hubble, enable_kube_proxy_replacement, cilium_mode, nat_gateways, endpoint_access, admin_principals, node_groups, fargate_profiles, log_retention_days, state, cilium, platform, load_balancers, tags, min_pods_per_node, karpenter, ip_budget, helm_values, eks_addons, protect_stateful_resources, iam, user_addons)'],
    ['budget share above 1', `${SANDBOX}ip_budget:\n  warn_at_share: 1.5\n`, 'environments/bad.yaml:64:18: ip_budget.warn_at_share: 1.5 must be a share above 0 and at most 1, e.g. 0.8'],
    ['budget share of 0', `${SANDBOX}ip_budget:\n  warn_at_share: 0\n`, 'environments/bad.yaml:64:18: ip_budget.warn_at_share: 0 must be a share above 0 and at most 1, e.g. 0.8'],
    ['wrong type', variant('enable_cilium: true', 'enable_cilium: "yes"'), 'environments/bad.yaml:11:16: enable_cilium: expected true or false, got string "yes"'],
    ['invalid CIDR', variant('vpc_cidr: 10.10.0.0/16', 'vpc_cidr: 10.0.0.0/33'), 'environments/bad.yaml:8:11: vpc_cidr: "10.0.0.0/33" is not an IPv4 CIDR block (expected a.b.c.d/n)'],
    ['CIDR too small', variant('vpc_cidr: 10.10.0.0/16', 'vpc_cidr: 10.0.0.0/24'), 'environments/bad.yaml:8:11: vpc_cidr: "10.0.0.0/24" has prefix /24 (allowed: /16 to /20)'],
    ['host bits', variant('vpc_cidr: 10.10.0.0/16', 'vpc_cidr: 10.0.0.1/16'), 'environments/bad.yaml:8:11: vpc_cidr: "10.0.0.1/16" has host bits set (did you mean "10.0.0.0/16"?)'],
    ['zone outside region', variant('us-west-2b]', 'us-east-1b]'), 'environments/bad.yaml:7:34: availability_zones[1]: "us-east-1b" is not a zone of region us-west-2 (expected us-west-2a, us-west-2b, ...)'],
    ['unknown mode', variant('cilium_mode: eni', 'cilium_mode: vxlan'), 'environments/bad.yaml:15:14: cilium_mode: "vxlan" is not allowed (allowed: eni, overlay)'],
    ['empty node groups', variant(/node_groups:\n[\s\S]*?\n\n/, 'node_groups: []\n\n'), 'environments/bad.yaml:40:14: node_groups: must contain at least one node group (system add-ons need EC2 nodes)'],
    ['account id as a number', variant('aws_account_id: "111111111111"', 'aws_account_id: 111111111111'), 'environments/bad.yaml:5:17: aws_account_id: expected a string, got number 111111111111'],
    ['missing key', variant('region: us-west-2\n', ''), 'environments/bad.yaml: region: is required'],
  ])('%s', (_name, text, expected) => {
    expect(problems(text)).toContain(expected);
  });

  test('a YAML syntax error names the line', () => {
    expect(problems('name: sandbox\nregion: [us-west-2\n')).toEqual([
      'environments/bad.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('every problem is reported, not just the first', () => {
    const found = problems(variant('cilium_mode: eni', 'cilium_mode: vxlan').replace('nat_gateways: single', 'nat_gateways: some'));
    expect(found).toEqual([
      'environments/bad.yaml:15:14: cilium_mode: "vxlan" is not allowed (allowed: eni, overlay)',
      'environments/bad.yaml:33:15: nat_gateways: "some" is not allowed (allowed: single, one_per_zone)',
      // Whether the pod range may overlap depends on the mode, which is unknown (prefix_delegation is off: its rule needs no mode).
      'environments/bad.yaml:15:14: cilium_mode: not checked until it is valid: cilium.pod_cidr overlaps neither vpc_cidr nor the service CIDR',
    ]);
  });

  describe('cross-field rules run past type errors, and say what they could not check (src/config/rules.ts)', () => {
    test('min_size: "2" with desired_size: 5 reports both, and the range checks that needed min_size (issue 24)', () => {
      const text = variant('    min_size: 2\n    max_size: 3\n    desired_size: 2\n', '    min_size: "2"\n    max_size: 3\n    desired_size: 5\n');
      expect(problems(text)).toEqual([
        'environments/bad.yaml:44:15: node_groups[0].min_size: expected a number, got string "2"',
        'environments/bad.yaml:46:19: node_groups[0].desired_size: 5 is larger than max_size 3',
        'environments/bad.yaml:44:15: node_groups[0].min_size: not checked until it is valid: min_size is at most max_size; desired_size is at least min_size',
      ]);
    });

    test('desired_size between the bounds of each side', () => {
      const sizes = (min: number, max: number, desired: number) => variant('    min_size: 2\n    max_size: 3\n    desired_size: 2\n', `    min_size: ${min}\n    max_size: ${max}\n    desired_size: ${desired}\n`);
      expect(problems(sizes(2, 3, 1))).toEqual(['environments/bad.yaml:46:19: node_groups[0].desired_size: 1 is smaller than min_size 2']);
      expect(problems(sizes(2, 3, 4))).toEqual(['environments/bad.yaml:46:19: node_groups[0].desired_size: 4 is larger than max_size 3']);
      // min above max: one error, desired_size is not compared with a bound that contradicts the other.
      expect(problems(sizes(5, 3, 2))).toEqual(['environments/bad.yaml:44:15: node_groups[0].min_size: 5 is larger than max_size 3']);
    });

    test('an unknown key anywhere no longer hides the rules of the file', () => {
      const text = variant('enable_kube_proxy_replacement: true', 'enable_kube_proxy_replacement: false').replace('nat_gateways: single', 'nat_gateways: single\ncolour: blue');
      expect(problems(text)).toEqual([
        expect.stringMatching(/^environments\/bad\.yaml:34:1: colour: unknown key \(allowed here: /),
        'environments/bad.yaml:21:16: cilium.gateway_api: needs enable_kube_proxy_replacement: true (Cilium Gateway API requires the kube-proxy replacement)',
      ]);
    });

    test('a rule that reads a field with an error is named at that field; the rules that do not read it still run', () => {
      const text = variant('region: us-west-2\n', 'region: us-west-22\n').replace('enable_hubble: true', 'enable_hubble: 1').replace('public_cidrs: [203.0.113.0/24]', 'public_cidrs: []');
      expect(problems(text)).toEqual([
        'environments/bad.yaml:6:9: region: "us-west-22" must be an AWS region such as us-west-2',
        'environments/bad.yaml:13:16: enable_hubble: expected true or false, got number 1',
        'environments/bad.yaml:36:17: endpoint_access.public_cidrs: must list at least one CIDR when public is true (the API server is never open to the whole internet by default)',
        'environments/bad.yaml:13:16: enable_hubble: not checked until it is valid: cilium.hubble_relay needs enable_hubble',
        'environments/bad.yaml:6:9: region: not checked until it is valid: availability_zones are zones of region',
      ]);
    });

    test('an item with its own error is left out of item-by-item checks; the others are still checked', () => {
      const text = variant('instance_types: [m6i.large, m5.large]', 'instance_types: [m6i, m5.large, x9z.large]');
      expect(problems(text)).toEqual([
        'environments/bad.yaml:42:22: node_groups[0].instance_types[0]: "m6i" must be an EC2 instance type such as m6i.large',
        expect.stringMatching(/^environments\/bad\.yaml:42:37: node_groups\[0\]\.instance_types\[2\]: "x9z\.large" is not in the instance table \(docs\/INSTANCE_TYPES\.md; families: /),
      ]);
    });
  });

  test('a public endpoint must be restricted', () => {
    const text = SANDBOX.replace('  public_cidrs: [203.0.113.0/24]\n', '');
    expect(problems(text)).toEqual([
      'environments/bad.yaml:34:1: endpoint_access.public_cidrs: must list at least one CIDR when public is true (the API server is never open to the whole internet by default)',
    ]);
  });

  test('CLUSTER_FACTORY_CONFIG overrides the app file', () => {
    expect(resolveConfigPath('environments/sandbox.yaml', {})).toBe('environments/sandbox.yaml');
    expect(resolveConfigPath('environments/sandbox.yaml', { CLUSTER_FACTORY_CONFIG: '/tmp/variant.yaml' })).toBe('/tmp/variant.yaml');
  });

  describe('tags', () => {
    const withTags = (lines: string[]) => `${SANDBOX}${lines.map((line) => `  ${line}\n`).join('')}`;
    const tagLine = SANDBOX.split('\n').indexOf('  CostCenter: platform-sandbox') + 1;

    test(`${MAX_CONFIG_TAGS} tags are accepted, one more is refused once for the whole map`, () => {
      const extra = (count: number) => Array.from({ length: count }, (_, index) => `Team${index}: t${index}`);
      expect(Object.keys(parseEnvironmentConfig(withTags(extra(MAX_CONFIG_TAGS - 1)), 'ok.yaml').tags)).toHaveLength(MAX_CONFIG_TAGS);
      expect(problems(withTags(extra(MAX_CONFIG_TAGS)))).toEqual([
        `environments/bad.yaml:${tagLine}:3: tags: ${MAX_CONFIG_TAGS + 1} tags; at most 44 (AWS allows 50 per resource; cluster-factory adds Environment, Cluster, ManagedBy to every resource and up to 3 more to some)`,
      ]);
    });

    test('reserved keys: one message each, naming the key', () => {
      expect(problems(withTags(['Environment: prod', 'Cluster: other', 'managedby: me']))).toEqual([
        `environments/bad.yaml:${tagLine + 1}:16: tags.Environment: is set by cluster-factory on every resource and cannot be overridden (reserved: Environment, Cluster, ManagedBy)`,
        `environments/bad.yaml:${tagLine + 2}:12: tags.Cluster: is set by cluster-factory on every resource and cannot be overridden (reserved: Environment, Cluster, ManagedBy)`,
      ]);
    });

    test.each([
      ['aws: prefix in any case', '"AWS:createdBy": me', `tags["AWS:createdBy"]: keys starting with "aws:" are reserved for AWS`],
      ['a 129-character key', `${'k'.repeat(129)}: v`, `tags["${'k'.repeat(39)}..." (129 characters)]: the key is 129 characters long (maximum: 128)`],
      ['a 257-character value', `Notes: ${'v'.repeat(257)}`, 'tags.Notes: is 257 characters long (maximum: 256)'],
    ])('%s', (_name, line, message) => {
      const [problem] = problems(withTags([line]));
      expect(problem).toMatch(new RegExp(`^environments/bad\\.yaml:${tagLine + 1}:\\d+: `));
      expect(problem!.replace(/^[^ ]+ /, '')).toBe(message);
    });
  });

  test('a 10,000-character value is cut in the message', () => {
    const [problem] = problems(variant('region: us-west-2', `region: ${'x'.repeat(10_000)}`));
    expect(problem).toBe(`environments/bad.yaml:6:9: region: "${'x'.repeat(39)}..." (10000 characters) must be an AWS region such as us-west-2`);
  });

  test('a YAML alias bomb is refused before it expands', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefgh'[index]}`).join(', ')}]`)];
    expect(problems(levels.join('\n'))).toEqual(['environments/bad.yaml: YAML aliases expand too much (more than 100 alias uses; an environment file needs few or none)']);
  });
});
