import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS } from '../lib/apps.js';
import { appConfigPath, isProtected, planCheckApply } from '../lib/plan-check-apply.js';

const ROOT = join(import.meta.dirname, '../..');

// Against the real terraform (init, plan, show; apply recorded): plan-check-apply.e2e.test.ts.

describe('plan-only review (pull requests) and protection from config', () => {
  test('every stack is planned without a lock or listed as not planned with the reason; nothing is checked or applied', async () => {
    // Recorded terraform writes nothing: the shared sandbox output serves.
    const outdir = APPS.sandbox!.shared();
    const calls: string[] = [];
    const result = await planCheckApply({
      outdir,
      environment: 'sandbox',
      protected: true,
      planOnly: true,
      reviewDir: mkdtempSync(join(tmpdir(), 'plan-only-review-')),
      // Recorded terraform: the cni stack cannot be planned (its providers cannot reach a cluster that does not exist yet).
      terraform: async (cwd, args) => {
        const stack = cwd.split('/').at(-1)!;
        calls.push(`${stack} ${args.join(' ')}`);
        if (args[0] === 'plan' && stack === 'sandbox-cni') return { code: 1, stdout: '', stderr: 'Error: Kubernetes cluster unreachable\nmore' };
        return { code: 0, stdout: args[0] === 'show' ? JSON.stringify({ resource_changes: [] }) : '', stderr: '' };
      },
      apply: () => Promise.reject(new Error('a review never applies')),
    });
    expect(result.ok).toBe(true);
    const stacks = ['sandbox-network', 'sandbox-cluster', 'sandbox-cni', 'sandbox-compute', 'sandbox-platform'];
    expect(calls).toEqual(
      stacks.flatMap((stack) => [
        `${stack} init -input=false -no-color`,
        `${stack} plan -input=false -no-color -out=plan.bin -lock=false`,
        ...(stack === 'sandbox-cni' ? [] : [`${stack} show -json -no-color plan.bin`]),
      ]),
    );
    expect(result.steps.map((step) => step.step)).not.toContain('apply');
    expect(result.review).toContain('| sandbox-cni | not planned | | | |');
    expect(result.review).toContain('- sandbox-cni: terraform plan failed: Error: Kubernetes cluster unreachable\n');
    expect(result.review).toContain('- sandbox-state: state bootstrap with local state: deployed by hand until migrated (docs/STATE_BOOTSTRAP.md)');
  }, 60_000);

  test.each([
    ['sandbox', false],
    ['prod', true],
    ['multi-region', true],
  ])('%s: protected=%s, read from protect_stateful_resources in its config', (app, expected) => {
    expect(appConfigPath(ROOT, app, {})).toBe(join(ROOT, 'environments', `${app}.yaml`));
    expect(isProtected(appConfigPath(ROOT, app, {}))).toBe(expected);
  });

  test('a renamed environment keeps its protection: the name plays no part', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'renamed-')), 'production-eu.yaml');
    writeFileSync(file, readFileSync(join(ROOT, 'environments/prod.yaml'), 'utf8').replace(/^name: prod$/m, 'name: production-eu'));
    expect(readFileSync(file, 'utf8')).toMatch(/^name: production-eu$/m);
    expect(isProtected(file)).toBe(true);
    expect(appConfigPath(ROOT, 'prod', { CLUSTER_FACTORY_CONFIG: file })).toBe(file);
  });
});
