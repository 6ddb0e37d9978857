import { describe, expect, test } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTEXT_ENV } from 'cdktf';
import { CONFIG_OVERRIDE_VARIABLE, OUTDIR_OVERRIDE_VARIABLE, TODAY_OVERRIDE_VARIABLE } from '@cilium-eks/cluster-factory';
import { NOT_SYNTH_INPUTS, SYNTH_VARIABLES, synthInputLine } from '../nx-synth-input.mjs';

const ROOT = join(import.meta.dirname, '../..');

/** Files below a directory whose name ends with `suffix`. */
const filesBelow = (dir: string, suffix: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith(suffix))
    .map((path) => join(dir, path));

/** Constants that name a variable, as the sources use them. */
const NAMED = { 'exports.CONTEXT_ENV': CONTEXT_ENV, CONFIG_OVERRIDE_VARIABLE, OUTDIR_OVERRIDE_VARIABLE, TODAY_OVERRIDE_VARIABLE } as Record<string, string>;

/** Variables a source reads: `env.NAME`, `env[NAME]`, `env["NAME"]` (of process.env or an env passed in). */
function variablesRead(source: string): string[] {
  return [...source.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[([\w."']+)\])/g)].map((match) => {
    const name = match[1] ?? match[2]!.replace(/^["']|["']$/g, '');
    return NAMED[name] ?? name;
  });
}

describe('synth target inputs (scripts/nx-synth-input.mjs)', () => {
  test('every variable that cdktf 0.21 reads during synth is an input, or is said not to be one and why', () => {
    // lib/testing is cdktf's Jest/vitest matchers: not part of an app's synth.
    const sources = filesBelow(join(ROOT, 'node_modules/cdktf/lib'), '.js').filter((file) => !file.includes('/lib/testing/'));
    const read = new Set(sources.flatMap((file) => variablesRead(readFileSync(file, 'utf8'))));
    expect([...read].sort()).toEqual(['CDKTF_CONTEXT_JSON', 'CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS', 'CDKTF_OUTDIR', 'CDKTF_TARGET_STACK_ID', 'SYNTH_HCL_OUTPUT', 'TERRAFORM_BINARY_NAME']);
    for (const name of read) expect(Object.keys({ ...SYNTH_VARIABLES, ...NOT_SYNTH_INPUTS }), name).toContain(name);
  });

  test("every variable cluster-factory's app runner reads is an input", () => {
    const read = new Set(filesBelow(join(ROOT, 'packages/cluster-factory/src'), '.ts').flatMap((file) => variablesRead(readFileSync(file, 'utf8'))));
    expect([...read].sort()).toEqual(['CDKTF_OUTDIR', 'CLUSTER_FACTORY_CONFIG', 'CLUSTER_FACTORY_OUTDIR', 'CLUSTER_FACTORY_TODAY']);
    const line = synthInputLine({});
    expect(line).toContain('config default');
    expect(line).toContain('outdir default');
    // The day synth judges the Kubernetes version on: the override, else today.
    expect(synthInputLine({ CLUSTER_FACTORY_TODAY: '2027-01-02' })).toContain('day 2027-01-02');
    expect(line).toContain(`day ${new Date().toISOString().slice(0, 10)}`);
    expect(Object.keys(SYNTH_VARIABLES)).toContain('CDKTF_OUTDIR');
  });

  test.each(Object.keys(SYNTH_VARIABLES))('%s: set, set to "" and unset are three different inputs', (name) => {
    const base = { PATH: process.env.PATH };
    const lines = new Set([synthInputLine(base), synthInputLine({ ...base, [name]: '' }), synthInputLine({ ...base, [name]: '1' })]);
    expect(lines.size).toBe(3);
  });

  test('the terraform that cdktf asks for its version is an input: another version, or none, is another input', () => {
    const bin = mkdtempSync(join(tmpdir(), 'fake-terraform-'));
    writeFileSync(join(bin, 'terraform-old'), '#!/bin/sh\necho "Terraform v1.4.7"\necho "on linux_amd64"\n');
    chmodSync(join(bin, 'terraform-old'), 0o755);
    const line = (env: NodeJS.ProcessEnv) => synthInputLine({ PATH: process.env.PATH, ...env }).split('; ').at(-1);
    expect(line({})).toMatch(/^terraform Terraform v1\.\d+\.\d+$/);
    expect(line({ TERRAFORM_BINARY_NAME: join(bin, 'terraform-old') })).toBe('terraform Terraform v1.4.7');
    expect(line({ TERRAFORM_BINARY_NAME: join(bin, 'absent') })).toBe('terraform not found');
  });

  test('the manifest files of user add-ons are inputs: their content, read relative to the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-input-manifests-'));
    const config = join(dir, 'env.yaml');
    writeFileSync(config, 'user_addons:\n  manifests:\n    - name: quotas\n      namespace: team-a\n      file: addons/quotas.yaml\n');
    const line = () => synthInputLine({ PATH: process.env.PATH, CLUSTER_FACTORY_CONFIG: config });
    const missing = line();
    expect(missing).toContain(`manifest ${join(dir, 'addons/quotas.yaml')} missing`);
    mkdirSync(join(dir, 'addons'));
    writeFileSync(join(dir, 'addons/quotas.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n');
    const first = line();
    writeFileSync(join(dir, 'addons/quotas.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-b}\n');
    expect(new Set([missing, first, line()]).size).toBe(3);
  });

  test('the values schemas of Helm chart add-ons are inputs: their content, read relative to the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-input-values-schema-'));
    const config = join(dir, 'env.yaml');
    writeFileSync(config, 'user_addons:\n  helm_charts:\n    - name: podinfo\n      namespace: podinfo\n      repository: https://stefanprodan.github.io/podinfo\n      chart: podinfo\n      version: 6.7.1\n      values_schema: schemas/podinfo.json\n');
    const line = () => synthInputLine({ PATH: process.env.PATH, CLUSTER_FACTORY_CONFIG: config });
    const missing = line();
    expect(missing).toContain(`values_schema ${join(dir, 'schemas/podinfo.json')} missing`);
    mkdirSync(join(dir, 'schemas'));
    writeFileSync(join(dir, 'schemas/podinfo.json'), '{"type": "object"}');
    const first = line();
    writeFileSync(join(dir, 'schemas/podinfo.json'), '{"type": "object", "required": ["replicaCount"]}');
    expect(new Set([missing, first, line()]).size).toBe(3);
  });
});
