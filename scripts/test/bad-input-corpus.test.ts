import { beforeAll, describe, expect, test } from 'vitest';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { runAppProcessAsync } from '@cilium-eks/cluster-factory/testing/app-process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS } from '../lib/apps.js';

/**
 * Every invalid config in scripts/test/corpus/<app>/ goes through that app's entry work (what
 * its main.ts runs, in this process, from its directory). Each must fail with exactly the
 * message in its .expected.txt (`{file}` stands for the path as the app prints it) and leave
 * the previous cdktf.out byte-for-byte intact. A few cases also run as the real process, to
 * show that it prints and exits exactly as the in-process run reports. Adding a case is
 * adding two files.
 */
const CORPUS = join(import.meta.dirname, 'corpus');
const cases = readdirSync(CORPUS).flatMap((app) =>
  readdirSync(join(CORPUS, app))
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ app, name: file.replace(/\.yaml$/, ''), file: join(CORPUS, app, file) })),
);
/** Files outside the app directory are named by their absolute path. */
const expectedOf = (entry: (typeof cases)[number]) => readFileSync(entry.file.replace(/\.yaml$/, '.expected.txt'), 'utf8').replaceAll('{file}', entry.file);

/** Through the real process: a schema error, a synth-time refusal (after the staging directory exists) and a multi-region check. */
const SPAWNED = ['sandbox/cidr-invalid', 'sandbox/ip-budget-exceeded', 'multi-region/vpc-cidrs-clash'];

/** Per app, a good cdktf.out in place before the bad configs (a copy of its synthesized output), and its content. */
const good: Record<string, { outdir: string; before: Record<string, string> }> = {};

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'corpus-'));
  for (const app of new Set(cases.map((entry) => entry.app))) {
    const outdir = join(root, app, 'cdktf.out');
    cpSync(APPS[app]!.shared(), outdir, { recursive: true });
    good[app] = { outdir, before: directorySnapshot(outdir) };
    expect(good[app].before).toHaveProperty(['manifest.json']);
  }
}, 120_000);

/** Each run exited 1 with exactly its case's expected message. */
const expectEachRefusedAsExpected = (results: ReadonlyArray<{ name: string; status: number | null; stderr: string; expected: string }>) => {
  for (const result of results) {
    expect(result.status, result.name).toBe(1);
    expect(result.stderr, result.name).toBe(result.expected);
  }
};

const expectNothingWritten = () => {
  for (const { outdir, before } of Object.values(good)) {
    expect(directorySnapshot(outdir)).toEqual(before);
    expect(readdirSync(join(outdir, '..'))).toEqual(['cdktf.out']);
  }
};

describe('bad-input corpus', () => {
  test('has at least 30 cases, each with its expected error, for apps that exist', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const entry of cases) expect(readFileSync(entry.file.replace(/\.yaml$/, '.expected.txt'), 'utf8').trim(), entry.name).not.toBe('');
    expect(Object.keys(APPS)).toEqual(expect.arrayContaining([...new Set(cases.map((entry) => entry.app))]));
    expect(cases.map((entry) => `${entry.app}/${entry.name}`)).toEqual(expect.arrayContaining(SPAWNED));
  });

  test('every case fails in the app entry work with its exact message, writing nothing', () => {
    const results = cases.map((entry) => ({ name: `${entry.app}/${entry.name}`, ...APPS[entry.app]!.synth({ outdir: good[entry.app]!.outdir, config: entry.file }), expected: expectedOf(entry) }));
    expectEachRefusedAsExpected(results);
    expectNothingWritten();
  });

  test(`the real entry point process exits 1 with the same message, writing nothing: ${SPAWNED.join(', ')}`, async () => {
    const spawned = cases.filter((entry) => SPAWNED.includes(`${entry.app}/${entry.name}`));
    const results = await Promise.all(
      spawned.map(async (entry) => ({ name: `${entry.app}/${entry.name}`, ...(await runAppProcessAsync(APPS[entry.app]!.dir, { outdir: good[entry.app]!.outdir, config: entry.file })), expected: expectedOf(entry) })),
    );
    expect(results).toHaveLength(SPAWNED.length);
    expectEachRefusedAsExpected(results);
    expectNothingWritten();
  }, 120_000);
});
