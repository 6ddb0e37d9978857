import { describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { runAppInThisProcess, runBothEntryPoints } from '@cilium-eks/cluster-factory/testing/app-process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multiRegionApp } from '../src/multi-region.js';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

/** What main.ts runs, in this process (its messages and output, without a process start). */
const synth = (outdir: string, config?: string) => runAppInThisProcess(APP_DIR, multiRegionApp, { outdir, config });

describe('multi-region app', () => {
  test('through the real entry point (main.ts under tsx, and the bundle the synth target runs, byte-identical): one set of stacks per region, the global mesh stack between network and cni', async () => {
    const { tsx, bundle } = await runBothEntryPoints(APP_DIR, mkdtempSync(join(tmpdir(), 'mr-')));
    expect(tsx.status, tsx.stderr).toBe(0);
    expect({ ...bundle, outdir: tsx.outdir }).toEqual(tsx);
    expect(directorySnapshot(bundle.outdir)).toEqual(directorySnapshot(tsx.outdir));
    const outdir = tsx.outdir;
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
    const regions = ['us-west-2', 'us-east-1', 'eu-west-1'];
    expect(Object.keys(manifest.stacks).sort()).toEqual(
      ['multi-region-global', 'multi-region-state', ...regions.flatMap((r) => ['network', 'cluster', 'cni', 'compute', 'platform'].map((k) => `multi-region-${r}-${k}`))].sort(),
    );
    expect(manifest.stacks['multi-region-global']!.dependencies.sort()).toEqual(regions.map((r) => `multi-region-${r}-network`).sort());
    for (const r of regions) expect(manifest.stacks[`multi-region-${r}-cni`]!.dependencies).toContain('multi-region-global');
  });

  test('a clashing CIDR fails before anything is written, naming both ranges', () => {
    const root = mkdtempSync(join(tmpdir(), 'mr-bad-'));
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(APP_DIR, '../../environments/multi-region.yaml'), 'utf8').replace('vpc_cidr: 10.42.0.0/16', 'vpc_cidr: 10.41.0.0/16'));
    const result = synth(join(root, 'cdktf.out'), bad);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^.*bad\.yaml:\d+:15: regions\[2\]\.vpc_cidr: 10\.41\.0\.0\/16 overlaps regions\[1\]\.vpc_cidr 10\.41\.0\.0\/16: address ranges in a Cluster Mesh must not overlap$/,
    );
    expect(readdirSync(root)).toEqual(['bad.yaml']);
  });
});
