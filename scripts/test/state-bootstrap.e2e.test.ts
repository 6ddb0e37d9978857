import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify, parse } from 'yaml';
import { bootstrapStatePath } from '@cilium-eks/cluster-factory';
import { PLUGIN_MIRROR_VARIABLE, providerSchemas, SharedAwsProvider, terraform, whyNoProviders, writeCliConfig } from '@cilium-eks/terraform-harness';
import { skippedWhen } from '../../vitest.shared.js';
import { APPS } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');
const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
const AWS = 'registry.terraform.io/hashicorp/aws';

interface PlanJson {
  resource_changes?: Array<{ address: string; type: string; name: string; mode: string; change: { actions: string[]; after: Record<string, unknown> | null } }>;
}
interface StateJson {
  lineage: string;
  serial: number;
  resources: Array<{ type: string; name: string; instances: Array<{ attributes: Record<string, unknown> }> }>;
}

/**
 * The lifecycle of docs/STATE_BOOTSTRAP.md with the real terraform: the state stack's local
 * backend is used exactly as synthesized; only S3 is replaced, by a local backend in a
 * directory standing in for the bucket. Without AWS nothing can be applied, so the state
 * "created" in step 1 is built from the stack's own plan and pushed through the backend.
 */
describe('state bootstrap, a synth, then migration (real terraform)', skippedWhen(whyNoProviders({ registryInCi: true })), () => {
  const work = mkdtempSync(join(tmpdir(), 'state-bootstrap-'));
  const outdir = join(work, 'apps/sandbox/cdktf.out');
  const stackDir = join(outdir, 'stacks/sandbox-state');
  const bootstrapFile = bootstrapStatePath(outdir, 'sandbox-state');
  const bucketDir = join(work, 's3-stand-in');
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: join(work, 'terraform.rc') };
  delete env.TF_PLUGIN_CACHE_DIR;

  const synth = (config?: string) => {
    const result = APPS.sandbox!.synth({ outdir, config });
    expect(result.status, result.stderr).toBe(0);
  };
  // The plans and shows that check each step attach to one aws provider process (the
  // harness's offline way); init and the state commands run as the documented steps do.
  let provider: SharedAwsProvider | undefined;
  const tf = async (...args: string[]) => {
    const run = provider && (args[0] === 'plan' || args[0] === 'show') ? provider.terraform : terraform;
    const result = await run(stackDir, args, env);
    expect(result.code, `terraform ${args.join(' ')}\n${result.stderr}${result.stdout}`).toBe(0);
    return result.stdout;
  };
  /** Placeholder credentials; the backend stays as synthesized unless one is given. */
  const offline = (backend?: object) =>
    writeFileSync(
      join(stackDir, 'offline_override.tf.json'),
      JSON.stringify({
        ...(backend ? { terraform: { backend } } : {}),
        provider: { aws: [{ access_key: 'placeholder', secret_key: 'placeholder', skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, allowed_account_ids: [] }] },
      }),
    );
  const plan = async (): Promise<PlanJson> => {
    await tf('plan', '-input=false', '-refresh=false', '-lock=false', '-no-color', '-out=plan.bin');
    return JSON.parse(await tf('show', '-json', 'plan.bin')) as PlanJson;
  };
  const actions = (planJson: PlanJson) =>
    Object.fromEntries((planJson.resource_changes ?? []).filter((change) => change.mode === 'managed').map((change) => [change.address, change.change.actions.join(',')]));

  /** State as if the plan had been applied: its known values, ids where AWS would assign them. */
  function appliedState(planJson: PlanJson, schemaVersions: Record<string, number>, previous?: StateJson): object {
    return {
      version: 4,
      terraform_version: '1.11.4',
      serial: (previous?.serial ?? 0) + 1,
      lineage: previous?.lineage ?? 'state-bootstrap-test',
      outputs: {},
      resources: (planJson.resource_changes ?? [])
        .filter((change) => change.mode === 'managed')
        .map((change) => {
          const prior = previous?.resources.find((resource) => resource.type === change.type && resource.name === change.name)?.instances[0]?.attributes ?? {};
          const attributes = Object.fromEntries(Object.entries({ ...prior, ...change.change.after }).map(([key, value]) => [key, value ?? prior[key] ?? null]));
          // What AWS would assign: S3 resources are known by the bucket name, a key by its id.
          if (change.type === 'aws_kms_key') Object.assign(attributes, { id: 'placeholder-key', key_id: 'placeholder-key', arn: 'arn:aws:kms:us-west-2:111111111111:key/placeholder-key' });
          if (change.type === 'aws_s3_bucket') attributes.arn = `arn:aws:s3:::${String(attributes.bucket)}`;
          attributes.id ??= attributes.bucket ?? `placeholder-${change.type}-${change.name}`;
          return { mode: 'managed', type: change.type, name: change.name, provider: `provider["${AWS}"]`, instances: [{ schema_version: schemaVersions[change.type] ?? 0, attributes }] };
        }),
    };
  }

  afterAll(() => provider?.stop());

  let bootstrapBytes: string;
  let resourcesAfterBootstrap: string[];

  beforeAll(async () => {
    writeCliConfig(env.TF_CLI_CONFIG_FILE!, { mirror, pluginCacheDir: mkdtempSync(join(work, 'plugins-')) });
    synth();
    offline();
    await tf('init', '-input=false', '-no-color');
    provider = await SharedAwsProvider.start(stackDir, env);
    const schemas = (await providerSchemas(stackDir, env))!;
    const versions = Object.fromEntries(Object.entries(schemas.provider_schemas![AWS]!.resource_schemas!).map(([type, schema]) => [type, schema.version ?? 0]));
    // Step 1, "apply": a state holding every resource of the plan, pushed through the synthesized local backend.
    const first = await plan();
    expect(Object.values(actions(first)).every((action) => action === 'create')).toBe(true);
    // Values that refer to other resources become known round by round; prevent_destroy is
    // lifted meanwhile (a round may replace what a reference changed), and restored after.
    const unprotect = join(stackDir, 'crafting_override.tf.json');
    writeFileSync(unprotect, JSON.stringify({ resource: { aws_s3_bucket: { bucket: { lifecycle: { prevent_destroy: false } } }, aws_kms_key: { key: { lifecycle: { prevent_destroy: false } } } } }));
    let state = appliedState(first, versions) as StateJson;
    for (let round = 0; round < 4; round += 1) {
      writeFileSync(join(work, 'applied.tfstate'), JSON.stringify(state));
      await tf('state', 'push', '-lock=false', '-force', join(work, 'applied.tfstate'));
      const next = await plan();
      if (Object.values(actions(next)).every((action) => action === 'no-op')) break;
      state = appliedState(next, versions, JSON.parse(readFileSync(bootstrapFile, 'utf8')) as StateJson) as StateJson;
    }
    rmSync(unprotect);
    bootstrapBytes = readFileSync(bootstrapFile, 'utf8');
    resourcesAfterBootstrap = (await tf('state', 'list')).trim().split('\n');
  }, 600_000);

  test('step 1: the local state is written outside cdktf.out, and the bucket is in it', async () => {
    expect(bootstrapFile).toBe(join(work, 'apps/sandbox/bootstrap-state/sandbox-state.tfstate'));
    expect(resourcesAfterBootstrap).toEqual(expect.arrayContaining(['aws_s3_bucket.bucket', 'aws_kms_key.key', 'aws_s3_bucket_versioning.versioning']));
    expect(Object.values(actions(await plan()))).toEqual(resourcesAfterBootstrap.map(() => 'no-op'));
  }, 300_000);

  test('a synth between bootstrap and migration leaves the bootstrap state intact; the stack still finds it', async () => {
    synth();
    expect(existsSync(join(stackDir, '.terraform'))).toBe(false); // the stack directory is new
    expect(readFileSync(bootstrapFile, 'utf8')).toBe(bootstrapBytes);
    offline();
    await tf('init', '-input=false', '-no-color');
    expect((await tf('state', 'list')).trim().split('\n')).toEqual(resourcesAfterBootstrap);
    expect(Object.values(actions(await plan()))).toEqual(resourcesAfterBootstrap.map(() => 'no-op'));
  }, 300_000);

  test('step 2: with state.bootstrap: migrated the stack uses its own key; the documented push moves the state there, no changes', async () => {
    const config = parse(readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8')) as { state: Record<string, unknown> };
    config.state.bootstrap = 'migrated';
    const configFile = join(work, 'sandbox.yaml');
    writeFileSync(configFile, stringify(config));
    synth(configFile);
    const backend = (JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { terraform: { backend: Record<string, { bucket: string; key: string }> } }).terraform.backend;
    expect(Object.keys(backend)).toEqual(['s3']);
    expect(backend.s3).toMatchObject({ bucket: 'acme-tfstate-111111111111', key: 'sandbox/us-west-2/state.tfstate', use_lockfile: true });
    // The bucket, played by a directory: the object at the stack's key.
    const object = join(bucketDir, backend.s3!.bucket, backend.s3!.key);
    mkdirSync(dirname(object), { recursive: true });
    offline({ local: { path: object } });
    await tf('init', '-input=false', '-no-color');
    // Before the push the new backend is empty: a deploy now would create the bucket again.
    expect(actions(await plan())['aws_s3_bucket.bucket']).toBe('create');
    // The documented commands, as written in docs/STATE_BOOTSTRAP.md.
    const docs = readFileSync(join(ROOT, 'docs/STATE_BOOTSTRAP.md'), 'utf8');
    expect(docs).toContain('terraform state push ../../../bootstrap-state/prod-state.tfstate');
    await tf('state', 'push', '../../../bootstrap-state/sandbox-state.tfstate');
    expect((await tf('state', 'list')).trim().split('\n')).toEqual(resourcesAfterBootstrap);
    expect(Object.values(actions(await plan()))).toEqual(resourcesAfterBootstrap.map(() => 'no-op'));
    const migrated = JSON.parse(readFileSync(object, 'utf8')) as StateJson;
    expect(migrated.lineage).toBe((JSON.parse(bootstrapBytes) as StateJson).lineage);
    expect(readFileSync(bootstrapFile, 'utf8')).toBe(bootstrapBytes);
  }, 300_000);
});
