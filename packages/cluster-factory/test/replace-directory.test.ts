import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStagingDirectory, removeLeftovers, replaceDirectory } from '../src/lib/private/replace-directory.js';

const WRITER = join(import.meta.dirname, 'fixtures/replace-directory-writer.ts');

function runWriter(target: string, writer: number, count: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, target, String(writer), String(count)]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** The directory holds the 20 files of one single round of one writer. */
function expectComplete(dir: string): void {
  const files = readdirSync(dir).sort();
  expect(files).toHaveLength(20);
  expect(new Set(files.map((file) => readFileSync(join(dir, file), 'utf8'))).size).toBe(1);
}

describe('replaceDirectory', () => {
  test('replaces a directory that exists, leaving nothing beside it', () => {
    const root = mkdtempSync(join(tmpdir(), 'replace-'));
    const target = join(root, 'cdktf.out');
    mkdirSync(target);
    writeFileSync(join(target, 'old.txt'), 'old');
    const staging = createStagingDirectory(target);
    expect(staging).toMatch(/cdktf\.out\.staging-\d+-[A-Za-z0-9]{6}$/);
    writeFileSync(join(staging, 'new.txt'), 'new');
    replaceDirectory(staging, target);
    expect(readdirSync(target)).toEqual(['new.txt']);
    expect(readdirSync(root)).toEqual(['cdktf.out']);
  });

  test('8 processes replacing one directory 25 times each: no failure, one complete directory, no leftovers', async () => {
    const root = mkdtempSync(join(tmpdir(), 'replace-race-'));
    const target = join(root, 'cdktf.out');
    const results = await Promise.all(Array.from({ length: 8 }, (_, writer) => runWriter(target, writer, 25)));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ status: 0, stderr: '' })));
    expectComplete(target);
    expect(readdirSync(root)).toEqual(['cdktf.out']);
  }, 120_000);

  test('leftovers of a killed process are removed; a directory set aside before the target was replaced is put back', () => {
    const root = mkdtempSync(join(tmpdir(), 'replace-leftovers-'));
    const target = join(root, 'cdktf.out');
    const dead = 2 ** 22 + 1; // above Linux's pid_max: no such process
    mkdirSync(join(root, `cdktf.out.staging-${dead}-abcdef`));
    mkdirSync(join(root, `cdktf.out.replaced-${dead}-ghijkl/previous`), { recursive: true });
    writeFileSync(join(root, `cdktf.out.replaced-${dead}-ghijkl/previous/manifest.json`), '{}');
    mkdirSync(join(root, 'cdktf.out.staging-notapid'));
    removeLeftovers(target);
    expect(readdirSync(root).sort()).toEqual(['cdktf.out', 'cdktf.out.staging-notapid']);
    expect(readdirSync(target)).toEqual(['manifest.json']);
  });

  test('a staging directory of a running process is left alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'replace-alive-'));
    const target = join(root, 'cdktf.out');
    const staging = createStagingDirectory(target);
    removeLeftovers(target);
    expect(readdirSync(root)).toEqual([staging.slice(root.length + 1)]);
  });
});
