import { describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readSynthesizedStacks } from '@cilium-eks/terraform-harness';
import { APPS } from '../lib/apps.js';
import { deployableStacks, inDeploymentOrder } from '../lib/deploy-order.js';

const ROOT = join(import.meta.dirname, '../..');

/** The app's output (shared, read-only), or with `state.bootstrap: migrated` one of this test's own. */
function synth(app: string, migrated = false): string {
  if (!migrated) return APPS[app]!.shared();
  const work = mkdtempSync(join(tmpdir(), 'deploy-order-'));
  const parsed = parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as { state: Record<string, unknown> };
  parsed.state.bootstrap = 'migrated';
  const config = join(work, `${app}.yaml`);
  writeFileSync(config, stringify(parsed));
  const outdir = join(work, 'cdktf.out');
  const result = APPS[app]!.synth({ outdir, config });
  expect(result.status, result.stderr).toBe(0);
  return outdir;
}

/** The documented command, `npx tsx scripts/deploy-order.ts <cdktf.out> [--deployable]`. */
const order = async (outdir: string, ...flags: string[]) => {
  // Rejects (failing the test, with stderr) when the command exits non-zero.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/deploy-order.ts'), outdir, ...flags], { encoding: 'utf8' });
  return stdout.trim().split('\n');
};

/** What the command prints, computed in this process by the same functions (the sandbox test shows they agree). */
const orderHere = (outdir: string, deployable = false) => {
  const stacks = readSynthesizedStacks(outdir);
  return (deployable ? deployableStacks(stacks) : inDeploymentOrder(stacks)).map((stack) => stack.name);
};

describe('deploy-order prints the stacks in deployment order', () => {
  test('sandbox: the state bucket first, then each stack after its dependencies; --deployable leaves out a state stack that is still local', async () => {
    const outdir = synth('sandbox');
    const stacks = ['sandbox-network', 'sandbox-cluster', 'sandbox-cni', 'sandbox-compute', 'sandbox-platform'];
    const [all, deployable] = await Promise.all([order(outdir), order(outdir, '--deployable')]);
    expect(all).toEqual(['sandbox-state', ...stacks]);
    expect(deployable).toEqual(stacks);
    expect(orderHere(outdir)).toEqual(['sandbox-state', ...stacks]);
    expect(orderHere(outdir, true)).toEqual(stacks);
    expect(orderHere(synth('sandbox', true), true)).toEqual(['sandbox-state', ...stacks]);
  });

  test('multi-region: the global stack after every network and before any region joins the mesh', () => {
    const stacks = orderHere(synth('multi-region'));
    expect(stacks[0]).toBe('multi-region-state');
    expect(stacks).toHaveLength(17);
    const at = (name: string) => stacks.indexOf(name);
    for (const region of ['us-west-2', 'us-east-1', 'eu-west-1']) {
      expect(at(`multi-region-${region}-network`)).toBeLessThan(at('multi-region-global'));
      expect(at('multi-region-global')).toBeLessThan(at(`multi-region-${region}-cni`));
      expect(at(`multi-region-${region}-cluster`)).toBeLessThan(at(`multi-region-${region}-cni`));
      expect(at(`multi-region-${region}-cni`)).toBeLessThan(at(`multi-region-${region}-compute`));
      expect(at(`multi-region-${region}-compute`)).toBeLessThan(at(`multi-region-${region}-platform`));
    }
  });
});
