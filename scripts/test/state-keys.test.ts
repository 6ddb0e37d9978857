import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { synthesizeApps } from '../generate-docs.js';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const APPS = readdirSync(join(ROOT, 'apps')).filter((name) => existsSync(join(ROOT, 'apps', name, 'main.ts')));

const synthesized = synthesizeApps();

/** Every app, synthesized through its real entry point; each stack's state location. */
function stateKeys(): Array<{ app: string; stack: string; key: string }> {
  return APPS.flatMap((app) => {
    const outdir = synthesized.get(app)!;
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
    return Object.entries(manifest.stacks).map(([stack, entry]) => {
      const json = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')) as {
        terraform: { backend: { s3?: { bucket: string; key: string }; local?: object } };
        output?: { migrated_state_key?: { value: string } };
      };
      const s3 = json.terraform.backend.s3;
      // The state bootstrap starts local; its key is where its state is migrated to.
      const key = s3 ? `${s3.bucket}/${s3.key}` : `migrated:${json.output?.migrated_state_key?.value}`;
      return { app, stack, key };
    });
  });
}

describe('remote state', () => {
  test('no two stacks in the repository share a state key', () => {
    const keys = stateKeys();
    expect(new Set(keys.map((entry) => entry.app))).toEqual(new Set(['sandbox', 'prod', 'multi-region']));
    expect(keys.length).toBeGreaterThan(25);
    const byKey = new Map<string, string[]>();
    for (const entry of keys) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), `${entry.app}:${entry.stack}`]);
    expect([...byKey.entries()].filter(([, stacks]) => stacks.length > 1)).toEqual([]);
    expect(keys.filter((entry) => entry.key.includes('undefined'))).toEqual([]);
  });
});

describe('policies', () => {
  test.each(APPS)('%s synthesizes with zero unsuppressed policy findings; every suppression has a reason', (app) => {
    const report = JSON.parse(readFileSync(join(synthesized.get(app)!, 'policy-report.json'), 'utf8')) as {
      summary: { errors: number; warnings: number; suppressed: number };
      findings: Array<{ status: string; reason?: string }>;
    };
    expect(report.summary.errors).toBe(0);
    expect(report.summary.warnings).toBe(0);
    expect(report.summary.suppressed).toBeGreaterThan(0);
    for (const finding of report.findings) expect(finding).toMatchObject({ status: 'suppressed', reason: expect.stringMatching(/\S{10,}/) });
  });
});
