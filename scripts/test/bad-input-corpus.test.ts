import { describe, expect, test } from 'vitest';
import { runAppProcess, runAppProcessAsync } from '@cilium-eks/cluster-factory';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every invalid config in scripts/test/corpus/<app>/ goes through that app's real synth
 * entry point. Each must fail with exactly the message in its .expected.txt (`{file}` stands
 * for the path as the app prints it) and leave the previous cdktf.out byte-for-byte intact.
 * Adding a case is adding two files.
 */
const ROOT = join(import.meta.dirname, '../..');
const CORPUS = join(import.meta.dirname, 'corpus');
const cases = readdirSync(CORPUS).flatMap((app) =>
  readdirSync(join(CORPUS, app))
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ app, name: file.replace(/\.yaml$/, ''), file: join(CORPUS, app, file) })),
);

const snapshot = directorySnapshot;


describe('bad-input corpus', () => {
  test('has at least 30 cases, each with its expected error', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const entry of cases) expect(readFileSync(entry.file.replace(/\.yaml$/, '.expected.txt'), 'utf8').trim(), entry.name).not.toBe('');
  });

  test('every case fails through the real entry point with its exact message, writing nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'corpus-'));
    const good: Record<string, { outdir: string; before: Record<string, string> }> = {};
    for (const app of new Set(cases.map((entry) => entry.app))) {
      const outdir = join(root, app, 'cdktf.out');
      const result = runAppProcess(join(ROOT, 'apps', app), { outdir });
      expect(result.status, result.stderr).toBe(0);
      good[app] = { outdir, before: snapshot(outdir) };
    }

    const results: Array<{ name: string; status: number | null; stderr: string; expected: string }> = [];
    const queue = [...cases];
    const worker = async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        // Files outside the app directory are named by their absolute path.
        const expected = readFileSync(entry.file.replace(/\.yaml$/, '.expected.txt'), 'utf8').replaceAll('{file}', entry.file);
        const result = await runAppProcessAsync(join(ROOT, 'apps', entry.app), { outdir: good[entry.app]!.outdir, config: entry.file });
        results.push({ name: `${entry.app}/${entry.name}`, ...result, expected });
      }
    };
    await Promise.all([worker(), worker()]);

    for (const result of results.sort((a, b) => a.name.localeCompare(b.name))) {
      expect(result.status, result.name).toBe(1);
      expect(result.stderr, result.name).toBe(result.expected);
    }
    for (const { outdir, before } of Object.values(good)) {
      expect(snapshot(outdir)).toEqual(before);
      expect(readdirSync(join(outdir, '..'))).toEqual(['cdktf.out']);
    }
  }, 300_000);
});
