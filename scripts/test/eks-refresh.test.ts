import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EKS_ADDON_VERSIONS, EKS_CALENDAR } from '@cilium-eks/cluster-factory/lifecycle';
import { calendarFromDescribe, defaultAddonVersion, utcDay, type DescribeAddonVersions } from '../lib/eks-refresh.js';

const ROOT = join(import.meta.dirname, '../..');
/** Shaped like the example output in the EKS User Guide ("Get version information with AWS CLI"); the values are this test's. */
const DESCRIBE = join(import.meta.dirname, 'fixtures/describe-cluster-versions.json');
const run = (script: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', script), ...args], { encoding: 'utf8', env });

describe('refreshing the EKS calendar from aws eks describe-cluster-versions', () => {
  test('timestamps become the UTC days of the calendar (AWS prints them in Pacific time)', () => {
    expect(utcDay('2026-01-26T16:00:00-08:00')).toBe('2026-01-27');
    expect(utcDay('2027-03-26T17:00:00-07:00')).toBe('2027-03-27');
    expect(() => utcDay('soon')).toThrow('not a timestamp: "soon"');
    expect(calendarFromDescribe(JSON.parse(readFileSync(DESCRIBE, 'utf8')))).toEqual([
      { version: '1.35', released: '2026-01-27', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
      { version: '1.36', released: '2026-06-02', endOfStandardSupport: '2027-08-02', endOfExtendedSupport: '2028-08-02' },
    ]);
    expect(() => calendarFromDescribe({ clusterVersions: [{ clusterVersion: '1.37', releaseDate: '2026-10-01T00:00:00Z' }] })).toThrow('1.37: describe-cluster-versions gives no endOfStandardSupportDate, endOfExtendedSupportDate');
  });

  test('the documented command writes the table, keeping its source and refresh notes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'calendar-')), 'kubernetes-versions.json');
    copyFileSync(join(ROOT, 'packages/cluster-factory/reference/eks/kubernetes-versions.json'), file);
    const result = run('refresh-eks-calendar.ts', [DESCRIBE, '--file', file], { ...process.env, CLUSTER_FACTORY_TODAY: '2027-01-15' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`wrote 2 versions (1.35, 1.36) to ${file}\n`);
    const written = JSON.parse(readFileSync(file, 'utf8')) as typeof EKS_CALENDAR;
    expect(written).toMatchObject({ retrieved: '2027-01-15', refresh: EKS_CALENDAR.refresh, source: `${EKS_CALENDAR.source}; read from aws eks describe-cluster-versions` });
    // Both dates agree with the committed calendar (1.36's end dates were derived; AWS's own output confirms them here only because the fixture says so).
    expect(written.versions).toEqual(EKS_CALENDAR.versions.filter((entry) => ['1.35', '1.36'].includes(entry.version)).map(({ note: _note, ...entry }) => entry));
  });
});

describe('refreshing the add-on pins from aws eks describe-addon-versions', () => {
  const addonEntry = (name: string, versions: Array<[string, string[]]>): DescribeAddonVersions['addons'][number] => ({
    addonName: name,
    addonVersions: versions.map(([addonVersion, defaults]) => ({ addonVersion, compatibilities: defaults.map((clusterVersion) => ({ clusterVersion, defaultVersion: true })) })),
  });

  test('the default version per minor', () => {
    const output = { addons: [addonEntry('coredns', [['v1.14.3-eksbuild.3', ['1.35', '1.36']], ['v1.13.2-eksbuild.11', ['1.34']]])] };
    expect(defaultAddonVersion(output, 'coredns', '1.34')).toBe('v1.13.2-eksbuild.11');
    expect(defaultAddonVersion(output, 'coredns', '1.36')).toBe('v1.14.3-eksbuild.3');
    expect(defaultAddonVersion(output, 'kube-proxy', '1.36')).toBeUndefined();
  });

  /** An `aws` on PATH that answers from a fixture; every add-on gets one version for every minor offered on the day. */
  function fakeAws(addons: Record<string, DescribeAddonVersions['addons'][number]>) {
    const dir = mkdtempSync(join(tmpdir(), 'fake-aws-'));
    writeFileSync(join(dir, 'aws'), `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, 'fixtures/fake-aws.mjs')}" "$@"\n`);
    chmodSync(join(dir, 'aws'), 0o755);
    writeFileSync(join(dir, 'addons.json'), JSON.stringify(addons));
    const file = join(dir, 'addon-versions.json');
    copyFileSync(join(ROOT, 'packages/cluster-factory/reference/eks/addon-versions.json'), file);
    return { file, env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}`, FAKE_AWS_ADDONS: join(dir, 'addons.json'), CLUSTER_FACTORY_TODAY: '2026-12-05' } };
  }
  const offered = ['1.32', '1.33', '1.34', '1.35', '1.36'];
  const every = (version: string) => Object.fromEntries(Object.keys(EKS_ADDON_VERSIONS.addons).map((name) => [name, addonEntry(name, [[version, offered]])]));

  test('the documented command writes every add-on for every version EKS offers on the day', () => {
    const { file, env } = fakeAws(every('v9.9.9-eksbuild.1'));
    const result = run('refresh-eks-addon-versions.ts', ['--file', file], env);
    expect(result.stderr).toBe('');
    const written = JSON.parse(readFileSync(file, 'utf8')) as typeof EKS_ADDON_VERSIONS;
    expect(written.retrieved).toBe('2026-12-05');
    expect(Object.keys(written.addons)).toEqual(Object.keys(EKS_ADDON_VERSIONS.addons));
    expect(written.addons.coredns).toEqual({
      source: 'aws eks describe-addon-versions --addon-name coredns: the default version per Kubernetes minor, read 2026-12-05',
      versions: Object.fromEntries(offered.map((minor) => [minor, 'v9.9.9-eksbuild.1'])),
    });
  });

  test('a table that would downgrade an add-on on upgrade, or lacks a version, is not written', () => {
    const addons = every('v1.0.0-eksbuild.1');
    addons.coredns = addonEntry('coredns', [['v1.14.3-eksbuild.3', ['1.32', '1.33', '1.34', '1.35']], ['v1.14.2-eksbuild.1', ['1.36']]]);
    delete addons['kube-proxy'];
    const { file, env } = fakeAws(addons);
    const before = readFileSync(file, 'utf8');
    const result = run('refresh-eks-addon-versions.ts', ['--file', file], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        'refresh-eks-addon-versions: not written:',
        '  coredns 1.35 v1.14.3-eksbuild.3 > 1.36 v1.14.2-eksbuild.1 (a downgrade on upgrade)',
        ...offered.map((minor) => `  kube-proxy: no default version for Kubernetes ${minor}`),
        '',
      ].join('\n'),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
