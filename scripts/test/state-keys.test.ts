import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { APPS as APP_ENTRIES, sharedOutputs } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');
const APPS = Object.keys(APP_ENTRIES);

const synthesized = sharedOutputs();

interface StackJson {
  terraform: { backend: { s3?: { bucket: string; key: string }; local?: { path: string } } };
  resource?: Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>;
}

function stacksOf(outdir: string): Array<{ stack: string; dir: string; json: StackJson }> {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.entries(manifest.stacks).map(([stack, entry]) => ({
    stack,
    dir: dirname(join(outdir, entry.synthesizedStackPath)),
    json: JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')) as StackJson,
  }));
}

/** Each app synthesized again with `state.bootstrap: migrated`: the state stack on its own S3 key. */
function synthesizeMigrated(): Map<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'state-keys-'));
  return new Map(
    APPS.map((app) => {
      const config = parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as { state: Record<string, unknown> };
      config.state.bootstrap = 'migrated';
      const file = join(work, `${app}.yaml`);
      writeFileSync(file, stringify(config));
      const outdir = join(work, app, 'cdktf.out');
      const result = APP_ENTRIES[app]!.synth({ outdir, config: file });
      if (result.status !== 0) throw new Error(`${app} failed to synthesize with state.bootstrap: migrated:\n${result.stderr}`);
      return [app, outdir];
    }),
  );
}

/** Every app, synthesized through its real entry point; each stack's S3 state location (the state stack's once migrated). */
function stateKeys(): Array<{ app: string; stack: string; key: string }> {
  const migrated = synthesizeMigrated();
  return APPS.flatMap((app) =>
    stacksOf(migrated.get(app)!).map(({ stack, json }) => {
      const s3 = json.terraform.backend.s3;
      return { app, stack, key: s3 ? `${s3.bucket}/${s3.key}` : `no S3 backend: ${JSON.stringify(json.terraform.backend)}` };
    }),
  );
}

describe('remote state', () => {
  test('before migration only the state stack is local, and its file lies outside cdktf.out', () => {
    for (const app of APPS) {
      const outdir = synthesized.get(app)!;
      const local = stacksOf(outdir).filter(({ json }) => json.terraform.backend.local);
      expect(local.map(({ stack }) => stack)).toEqual([`${app}-state`]);
      const file = resolve(local[0]!.dir, local[0]!.json.terraform.backend.local!.path);
      expect(relative(outdir, file).startsWith('..'), file).toBe(true);
      expect(file).toBe(join(dirname(outdir), 'bootstrap-state', `${app}-state.tfstate`));
    }
  });

  test('no two stacks in the repository share a state key', () => {
    const keys = stateKeys();
    expect(keys.filter((entry) => entry.stack.endsWith('-state')).map((entry) => entry.key)).toEqual([
      'acme-tfstate-333333333333/multi-region/us-west-2/state.tfstate',
      'acme-tfstate-222222222222/prod/us-east-1/state.tfstate',
      'acme-tfstate-111111111111/sandbox/us-west-2/state.tfstate',
    ]);
    expect(new Set(keys.map((entry) => entry.app))).toEqual(new Set(['sandbox', 'prod', 'multi-region']));
    expect(keys.length).toBeGreaterThan(25);
    const byKey = new Map<string, string[]>();
    for (const entry of keys) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), `${entry.app}:${entry.stack}`]);
    expect([...byKey.entries()].filter(([, stacks]) => stacks.length > 1)).toEqual([]);
    expect(keys.filter((entry) => entry.key.includes('undefined') || entry.key.startsWith('no S3'))).toEqual([]);
  });
});

/** Resource types whose loss loses data or identity: they carry prevent_destroy in a protected environment. */
const STATEFUL_TYPES = ['aws_s3_bucket', 'aws_kms_key', 'aws_eks_cluster', 'aws_cloudwatch_log_group', 'aws_secretsmanager_secret', 'aws_route53_zone'];

describe('protect_stateful_resources', () => {
  const protectedApps = APPS.filter((app) => (parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as { protect_stateful_resources?: boolean }).protect_stateful_resources);

  test('prod and multi-region are protected, sandbox is not', () => {
    expect(protectedApps.sort()).toEqual(['multi-region', 'prod']);
  });

  test.each(APPS)('%s: prevent_destroy on every stateful resource exactly when protected (the state bucket and its key always)', (app) => {
    const isProtected = protectedApps.includes(app);
    const stateful = stacksOf(synthesized.get(app)!).flatMap(({ stack, json }) =>
      Object.entries(json.resource ?? {})
        .filter(([type]) => STATEFUL_TYPES.includes(type))
        .flatMap(([type, resources]) => Object.entries(resources).map(([name, resource]) => ({ address: `${stack}:${type}.${name}`, stack, type, prevent: resource.lifecycle?.prevent_destroy === true }))),
    );
    const types = new Set(stateful.map((entry) => entry.type));
    expect([...types].sort()).toEqual(
      app === 'multi-region' ? [...STATEFUL_TYPES].sort() : ['aws_cloudwatch_log_group', 'aws_eks_cluster', 'aws_kms_key', 'aws_s3_bucket'],
    );
    for (const entry of stateful) expect(entry.prevent, entry.address).toBe(isProtected || entry.stack === `${app}-state`);
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
