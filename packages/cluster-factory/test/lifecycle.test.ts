import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { ConfigError, parseEnvironmentConfig } from '../src/config/load.js';
import { EKS_CALENDAR, calendarToday, eksRelease, supportPhase } from '../src/lifecycle/eks-calendar.js';
import { kubernetesSupport, offeredVersions } from '../src/lifecycle/kubernetes-support.js';
import { ARGOCD_COMPATIBILITY, COMPATIBILITY, KARPENTER_COMPATIBILITY, compatibilityFindings, pinnedRelease } from '../src/lifecycle/compatibility.js';
import { EKS_ADDON_VERSIONS, addonDowngrades, compareAddonVersions } from '../src/lifecycle/eks-addons.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import { SANDBOX_YAML } from './fixtures.js';
import { KARPENTER_CHART } from '../src/versions.js';
import { TEST_TODAY } from '../testing/index.js';

/** The sandbox fixture with one exact piece of text replaced. */
function variant(from: string, to: string): string {
  if (!SANDBOX_YAML.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return SANDBOX_YAML.replace(from, to);
}

function problems(text: string, today = TEST_TODAY): string[] {
  try {
    parseEnvironmentConfig(text, 'environments/sandbox.yaml', { today });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the config to be refused');
}

const EXTENDED_COST = 'the control plane costs $0.60 instead of $0.10 per cluster-hour ($365.00 more per cluster per month)';

describe('the EKS calendar (reference/eks/kubernetes-versions.json)', () => {
  test('every minor has its dates in order, 14 months of standard support then 12 of extended', () => {
    for (const release of EKS_CALENDAR.versions) {
      expect(release.released < release.endOfStandardSupport && release.endOfStandardSupport < release.endOfExtendedSupport, release.version).toBe(true);
      const months = (from: string, to: string) => (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
      expect(months(release.released, release.endOfStandardSupport), release.version).toBe(14);
      expect(months(release.endOfStandardSupport, release.endOfExtendedSupport), release.version).toBe(12);
    }
    expect(EKS_CALENDAR.retrieved).toBe('2026-12-05');
  });

  test('the pinned clock: on 2026-12-05 EKS offers 1.32 to 1.36; 1.34 has just left standard support', () => {
    expect(calendarToday()).toBe(TEST_TODAY);
    expect(offeredVersions(TEST_TODAY)).toEqual(['1.32', '1.33', '1.34', '1.35', '1.36']);
    expect(supportPhase(eksRelease('1.34')!, TEST_TODAY)).toBe('extended');
    expect(supportPhase(eksRelease('1.35')!, TEST_TODAY)).toBe('standard');
  });

  test('a day is a UTC calendar day; a malformed override is refused', () => {
    expect(calendarToday({}, new Date('2027-03-26T23:59:59Z'))).toBe('2027-03-26');
    expect(calendarToday({ CLUSTER_FACTORY_TODAY: '2027-02-01' })).toBe('2027-02-01');
    expect(() => calendarToday({ CLUSTER_FACTORY_TODAY: '2027-02-30' })).toThrow(new Error('CLUSTER_FACTORY_TODAY="2027-02-30" is not a date (expected YYYY-MM-DD)'));
  });
});

describe('kubernetesSupport: each calendar state', () => {
  const support = (version: string, day: string, supportType: 'STANDARD' | 'EXTENDED' = 'EXTENDED', warnDays = 90) => kubernetesSupport({ version, supportType, warnDays }, day);

  test('standard support, far from its end: nothing to say', () => {
    expect(support('1.35', '2026-12-05')).toEqual({ refusals: [], warnings: [] });
  });

  test('leaving standard support within the warning horizon: the date, the days, the cost, the next version', () => {
    expect(support('1.35', '2027-01-26')).toEqual({
      refusals: [],
      warnings: [`kubernetes_version 1.35 leaves EKS standard support on 2027-03-27, in 60 days: then ${EXTENDED_COST} (upgrade_policy.support_type EXTENDED); upgrade to 1.36 (standard support until 2027-08-02)`],
    });
    expect(support('1.35', '2027-01-26', 'STANDARD').warnings).toEqual([
      'kubernetes_version 1.35 leaves EKS standard support on 2027-03-27, in 60 days: then EKS upgrades the control plane to 1.36 itself (upgrade_policy.support_type STANDARD), leaving node groups and add-ons behind; upgrade to 1.36 (standard support until 2027-08-02)',
    ]);
    // The horizon is the config's: 59 days says nothing about a 60-day horizon... the day before the end says 1 day.
    expect(support('1.35', '2027-01-26', 'EXTENDED', 59).warnings).toEqual([]);
    expect(support('1.35', '2027-03-26').warnings[0]).toContain('leaves EKS standard support on 2027-03-27, in 1 days');
  });

  test('extended support: the cost and the upgrade; STANDARD cannot hold the version', () => {
    expect(support('1.34', '2026-12-05')).toEqual({
      refusals: [],
      warnings: [`kubernetes_version 1.34 is in EKS extended support since 2026-12-02 (until 2027-12-02): ${EXTENDED_COST}; upgrade to 1.35 (standard support until 2027-03-27)`],
    });
    // Billing starts at the beginning of the day standard support ends (UTC).
    expect(support('1.35', '2027-03-27').warnings[0]).toContain('kubernetes_version 1.35 is in EKS extended support since 2027-03-27');
    expect(support('1.34', '2026-12-05', 'STANDARD')).toEqual({
      refusals: [
        {
          field: 'upgrade_policy.support_type',
          message: 'STANDARD cannot hold 1.34, which left standard support on 2026-12-02 (EKS allows STANDARD only for versions in standard support): upgrade to 1.35 (standard support until 2027-03-27), or set EXTENDED',
        },
      ],
      warnings: [],
    });
  });

  test('not offered: before its EKS release, and from the end of extended support', () => {
    expect(support('1.36', '2026-05-01').refusals).toEqual([
      { field: 'kubernetes_version', message: '"1.36" is offered by EKS from 2026-06-02, not on 2026-05-01 (offered: 1.30 to 1.35)' },
    ]);
    expect(support('1.31', '2026-12-05').refusals).toEqual([
      {
        field: 'kubernetes_version',
        message: '"1.31" left EKS extended support on 2026-11-26: EKS creates no cluster on it and upgrades existing control planes itself (offered on 2026-12-05: 1.32 to 1.36)',
      },
    ]);
  });
});

describe('the config: refused with file, line and field; warned at synth', () => {
  test.each([
    ['a version EKS no longer offers', variant('kubernetes_version: "1.35"', 'kubernetes_version: "1.32"'), '2027-04-01', [
      'environments/sandbox.yaml:9:21: kubernetes_version: "1.32" left EKS extended support on 2027-03-23: EKS creates no cluster on it and upgrades existing control planes itself (offered on 2027-04-01: 1.33 to 1.36)',
    ]],
    ['a version not yet released', SANDBOX_YAML, '2025-12-01', ['environments/sandbox.yaml:9:21: kubernetes_version: "1.35" is offered by EKS from 2026-01-27, not on 2025-12-01 (offered: 1.29 to 1.34)']],
    ['STANDARD past standard support', SANDBOX_YAML, '2027-04-01', [
      'environments/sandbox.yaml:13:17: upgrade_policy.support_type: STANDARD cannot hold 1.35, which left standard support on 2027-03-27 (EKS allows STANDARD only for versions in standard support): upgrade to 1.36 (standard support until 2027-08-02), or set EXTENDED',
    ]],
  ])('%s', (_name, text, today, expected) => {
    expect(problems(text, today)).toEqual(expected);
  });

  test('a version the calendar does not know, or not a string; what it keeps from being checked', () => {
    const notChecked = 'environments/sandbox.yaml:9:21: kubernetes_version: not checked until it is valid: kubernetes_version is supported by every pinned component in use; kubernetes_version has a pinned version of every EKS add-on in use';
    expect(problems(variant('kubernetes_version: "1.35"', 'kubernetes_version: "1.40"'))).toEqual([
      'environments/sandbox.yaml:9:21: kubernetes_version: "1.40" is not in the EKS calendar (reference/eks/kubernetes-versions.json: 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36); when EKS releases a new version, refresh the calendar (docs/UPGRADES.md)',
      notChecked,
    ]);
    expect(problems(variant('kubernetes_version: "1.35"', 'kubernetes_version: 1.30'))).toEqual([
      'environments/sandbox.yaml:9:21: kubernetes_version: expected a string, got number 1.3; quote the version, such as "1.35" (YAML reads 1.30 as the number 1.3)',
      notChecked,
    ]);
  });

  test('a protected environment states its support type and pins its AMI release', () => {
    const protectedSandbox = variant('upgrade_policy:\n  support_type: STANDARD\n', '').replace('karpenter:\n  enabled: true\n', 'karpenter:\n  enabled: true\n  ami_alias: al2023@latest\n');
    expect(problems(`${protectedSandbox}protect_stateful_resources: true\n`)).toEqual([
      // No line: the file has no upgrade_policy at all.
      'environments/sandbox.yaml: upgrade_policy.support_type: must be stated in a protected environment (protect_stateful_resources: true): STANDARD (EKS upgrades the control plane to the next version itself when standard support ends (node groups and add-ons stay behind)) or EXTENDED (the cluster stays on its version in extended support, at $0.60 instead of $0.10 per cluster-hour)',
      'environments/sandbox.yaml:61:14: karpenter.ami_alias: al2023@latest is refused in a protected environment: every AMI release would roll every Karpenter node; pin a release such as al2023@v20260903 (docs/UPGRADES.md)',
    ]);
  });

  test('outside a pinned component\'s tested range: refused when protected, a warning otherwise', () => {
    const at136 = variant('kubernetes_version: "1.35"', 'kubernetes_version: "1.36"');
    const untested = [
      'Cilium 1.19.6 is tested on Kubernetes 1.32 to 1.35, not 1.36 (Cilium 1.20 covers 1.36; sources: docs/UPGRADES.md)',
      'Argo CD v3.4.2 is tested on Kubernetes 1.32 to 1.35, not 1.36 (Argo CD 3.5 covers 1.36; sources: docs/UPGRADES.md)',
    ];
    expect(problems(`${at136.replace('support_type: STANDARD', 'support_type: EXTENDED')}protect_stateful_resources: true\n`)).toEqual(
      untested.map((problem) => `environments/sandbox.yaml:9:21: kubernetes_version: ${problem}; a protected environment runs tested combinations only`),
    );
    const plan = planPlatform(parseEnvironmentConfig(at136, 'environments/sandbox.yaml'));
    expect(plan.warnings.filter((warning) => warning.stack === 'cluster').map((warning) => warning.message)).toEqual(untested);
  });

  test('a pinned component that does not support the version is refused, naming the releases that do', () => {
    expect(compatibilityFindings([{ ...KARPENTER_COMPATIBILITY, pinned: '1.11.1' }], '1.36')).toEqual({
      unsupported: ['Karpenter 1.11.1 supports Kubernetes 1.26 to 1.35, not 1.36 (Karpenter 1.13 and 1.14 cover 1.36; sources: docs/UPGRADES.md)'],
      untested: [],
    });
    expect(compatibilityFindings([{ ...ARGOCD_COMPATIBILITY, pinned: 'v3.4.9' }], '1.24')).toEqual({
      unsupported: ['Argo CD v3.4.9 supports Kubernetes 1.25 and later, not 1.24 (no Argo CD release in the compatibility table covers 1.24; sources: docs/UPGRADES.md)'],
      untested: [],
    });
    expect(() => pinnedRelease({ ...KARPENTER_COMPATIBILITY, pinned: '2.0.0' })).toThrow(new Error('Karpenter 2.0.0 has no row in the compatibility table (src/lifecycle/compatibility.ts)'));
  });

  test('a version without pinned add-on versions is refused, naming the add-ons', () => {
    expect(problems(variant('kubernetes_version: "1.35"', 'kubernetes_version: "1.31"'), '2026-05-01')).toEqual([
      'environments/sandbox.yaml:9:21: kubernetes_version: no pinned EKS add-on version of eks-pod-identity-agent, coredns for 1.31 (reference/eks/addon-versions.json has 1.32, 1.33, 1.34, 1.35, 1.36; refresh it: docs/UPGRADES.md)',
    ]);
  });
});

describe('the pinned tables', () => {
  test('every pinned component has its row; every offered version has every add-on pinned', () => {
    for (const compatibility of COMPATIBILITY) expect(pinnedRelease(compatibility).source.length).toBeGreaterThan(20);
    for (const [name, addon] of Object.entries(EKS_ADDON_VERSIONS.addons)) {
      expect(Object.keys(addon.versions), name).toEqual(offeredVersions(EKS_ADDON_VERSIONS.retrieved));
    }
  });

  test('the Karpenter rows are upstream\'s compatibility matrix at the pinned tag', () => {
    // Failsafe: versions stay strings (YAML would read 1.30 as the number 1.3).
    const upstream = parse(readFileSync(new URL(`../reference/karpenter-${KARPENTER_CHART.version}/compatibility.yaml`, import.meta.url), 'utf8'), { schema: 'failsafe' }) as {
      compatibility: Array<{ appVersion: string; minK8sVersion: string; maxK8sVersion: string }>;
    };
    for (const release of KARPENTER_COMPATIBILITY.releases) {
      const rows = upstream.compatibility.filter((row) => row.appVersion === `${release.series}.x`);
      expect(rows.length, release.series).toBeGreaterThan(0);
      for (const row of rows) expect({ min: row.minK8sVersion, max: row.maxK8sVersion }, release.series).toEqual(release.supported);
    }
  });

  test('an add-on never goes down from one Kubernetes minor to the next (EKS refuses add-on downgrades)', () => {
    expect(compareAddonVersions('v1.14.3-eksbuild.3', 'v1.14.2-eksbuild.11')).toBeGreaterThan(0);
    expect(compareAddonVersions('v1.13.2-eksbuild.11', 'v1.13.2-eksbuild.4')).toBeGreaterThan(0);
    expect(addonDowngrades('coredns', { '1.36': 'v1.14.2-eksbuild.1', '1.35': 'v1.14.3-eksbuild.3' })).toEqual(['coredns 1.35 v1.14.3-eksbuild.3 > 1.36 v1.14.2-eksbuild.1']);
    for (const [name, addon] of Object.entries(EKS_ADDON_VERSIONS.addons)) expect(addonDowngrades(name, addon.versions)).toEqual([]);
  });
});

describe('the synthesized JSON never depends on the day', () => {
  const stacks = (today: string, text = SANDBOX_YAML) => {
    const plan = planPlatform(parseEnvironmentConfig(text, 'environments/sandbox.yaml', { today }), { today });
    const platform = new EnvironmentPlatform(Testing.app(), plan);
    return { warnings: plan.warnings.map((warning) => warning.message), cluster: Testing.synth(platform.cluster), compute: Testing.synth(platform.compute) };
  };

  test('standard support, then 60 days before its end: the same stacks, one more warning', () => {
    const now = stacks('2026-12-05');
    const later = stacks('2027-01-26');
    expect(later.cluster).toBe(now.cluster);
    expect(later.compute).toBe(now.compute);
    expect(now.warnings).toEqual([]);
    expect(later.warnings).toEqual([
      'kubernetes_version 1.35 leaves EKS standard support on 2027-03-27, in 60 days: then EKS upgrades the control plane to 1.36 itself (upgrade_policy.support_type STANDARD), leaving node groups and add-ons behind; upgrade to 1.36 (standard support until 2027-08-02)',
    ]);
  });

  test('one minor up changes the control plane, every add-on and every node group in the same diff', () => {
    const versions = (synthesized: string) => {
      const json = JSON.parse(synthesized) as { resource: Record<string, Record<string, Record<string, unknown>>> };
      return {
        cluster: Object.values(json.resource.aws_eks_cluster ?? {}).map((cluster) => cluster.version),
        addons: Object.fromEntries(Object.values(json.resource.aws_eks_addon ?? {}).map((addon) => [addon.addon_name, addon.addon_version])),
        nodeGroups: Object.values(json.resource.aws_eks_node_group ?? {}).map((group) => group.version),
      };
    };
    const now = stacks(TEST_TODAY);
    const next = stacks(TEST_TODAY, variant('kubernetes_version: "1.35"', 'kubernetes_version: "1.36"'));
    expect([versions(now.cluster), versions(now.compute)]).toEqual([
      { cluster: ['1.35'], addons: { 'eks-pod-identity-agent': 'v1.3.10-eksbuild.3' }, nodeGroups: [] },
      { cluster: [], addons: { coredns: 'v1.14.3-eksbuild.3' }, nodeGroups: ['1.35', '1.35'] },
    ]);
    expect([versions(next.cluster), versions(next.compute)]).toEqual([
      { cluster: ['1.36'], addons: { 'eks-pod-identity-agent': 'v1.3.10-eksbuild.3' }, nodeGroups: [] },
      { cluster: [], addons: { coredns: 'v1.14.3-eksbuild.3' }, nodeGroups: ['1.36', '1.36'] },
    ]);
  });
});
