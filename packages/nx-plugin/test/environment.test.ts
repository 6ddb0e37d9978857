import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Tree } from '@nx/devkit';
import { createTree } from '@nx/devkit/testing';
import { environmentGenerator, EnvironmentGeneratorError, type EnvironmentGeneratorOptions } from '../src/generators/environment/generator.js';

const ROOT = join(import.meta.dirname, '../../..');
/** What the generator reads and writes, as committed (git-ignored outputs left out). */
const WORKSPACE_FILES = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', 'environments', 'apps', 'docs', '.github', 'workspace-apps.ts', 'package-lock.json', 'nx.json', '.gitignore'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

/** An in-memory copy of the workspace: the generator writes nothing to disk. */
function workspace(): Tree {
  const tree = createTree();
  for (const file of WORKSPACE_FILES) tree.write(file, readFileSync(join(ROOT, file)));
  return tree;
}

/** What the generator changed in the in-memory workspace: path -> CREATE or UPDATE. */
function changesSince(tree: Tree, before: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(
    tree
      .listChanges()
      .filter((change) => before.get(change.path) !== change.content?.toString())
      .map((change) => [change.path, before.has(change.path) ? 'UPDATE' : change.type]),
  );
}

const snapshot = (tree: Tree) => new Map(tree.listChanges().map((change) => [change.path, change.content?.toString() ?? '']));

async function generate(options: EnvironmentGeneratorOptions) {
  const tree = workspace();
  const before = snapshot(tree);
  const callback = await environmentGenerator(tree, options);
  return { tree, callback, changes: changesSince(tree, before), text: (path: string) => tree.read(path, 'utf-8')! };
}

async function refusal(options: EnvironmentGeneratorOptions): Promise<readonly string[]> {
  const tree = workspace();
  const before = snapshot(tree);
  try {
    await environmentGenerator(tree, options);
  } catch (error) {
    if (!(error instanceof EnvironmentGeneratorError)) throw error;
    expect(changesSince(tree, before)).toEqual({});
    return error.problems;
  }
  throw new Error('the generator accepted the options');
}

describe('a new environment in the account of the one it copies', () => {
  test('staging from sandbox: config, app, test, docs page and every registry', async () => {
    const { changes, text, callback } = await generate({ name: 'staging', from: 'sandbox', vpcCidr: '10.11.0.0/16' });
    expect(changes).toEqual({
      'environments/staging.yaml': 'CREATE',
      'apps/staging/cdktf.json': 'CREATE',
      'apps/staging/main.ts': 'CREATE',
      'apps/staging/package.json': 'CREATE',
      'apps/staging/project.json': 'CREATE',
      'apps/staging/src/staging.ts': 'CREATE',
      'apps/staging/tsconfig.json': 'CREATE',
      'apps/staging/vitest.config.ts': 'CREATE',
      'apps/staging/test/app.test.ts': 'CREATE',
      'docs/environments/staging.md': 'CREATE',
      'workspace-apps.ts': 'UPDATE',
      '.github/workflows/deploy.yml': 'UPDATE',
      'docs/README.md': 'UPDATE',
      'package-lock.json': 'UPDATE',
    });
    expect(typeof callback).toBe('function');

    // The config: sandbox's, with the fields that must differ, using sandbox's bucket as existing.
    const sandbox = readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8');
    const staging = text('environments/staging.yaml');
    expect(staging.split('\n').slice(0, 3)).toEqual([
      '# yaml-language-server: $schema=./environment.schema.json',
      '# staging: created from environments/sandbox.yaml by `npx nx g @cilium-eks/nx-plugin:environment`.',
      '# Review what the copy kept (sizes, tags, admin principals, protection) before the first deploy.',
    ]);
    expect(parse(staging)).toEqual({
      ...parse(sandbox),
      name: 'staging',
      vpc_cidr: '10.11.0.0/16',
      state: { bucket: 'acme-tfstate-111111111111', region: 'us-west-2', bootstrap: 'existing' },
    });

    // The app: every file of apps/sandbox but its tests, the names replaced.
    const sandboxProject = readFileSync(join(ROOT, 'apps/sandbox/project.json'), 'utf8');
    expect(text('apps/staging/project.json')).toBe(sandboxProject.replace(/sandbox/g, 'staging'));
    expect(text('apps/staging/main.ts')).toBe("import { runApp } from '@cilium-eks/cluster-factory';\nimport { stagingApp } from './src/staging.js';\n\nrunApp(stagingApp);\n");
    expect(text('apps/staging/src/staging.ts')).toContain("configPath: resolve(import.meta.dirname, '../../../environments/staging.yaml'),");
    expect(text('apps/staging/src/staging.ts')).toContain('export const stagingApp: RunAppOptions<EnvironmentConfig> = {');
    expect(JSON.parse(text('apps/staging/cdktf.json')).projectId).toBe('cilium-eks-staging');
    expect(text('apps/staging/test/app.test.ts')).toContain("expect(stacks.includes('staging-state')).toBe(CONFIG.state.bootstrap !== 'existing');");

    // Registries: the one list of apps, the deploy matrix (unprotected before protected), the docs index, the lockfile.
    expect(text('workspace-apps.ts')).toContain("import { sandboxApp } from './apps/sandbox/src/sandbox.js';\nimport { stagingApp } from './apps/staging/src/staging.js';\n");
    expect(text('workspace-apps.ts')).toContain("  workspaceApp('sandbox', sandboxApp),\n  workspaceApp('staging', stagingApp),\n];");
    expect((parse(text('.github/workflows/deploy.yml')) as { jobs: { deploy: { strategy: { matrix: { app: string[] } } } } }).jobs.deploy.strategy.matrix.app).toEqual(['sandbox', 'staging', 'prod', 'multi-region']);
    expect(text('docs/README.md')).toContain('[multi-region](diagrams/multi-region.md), [staging](diagrams/staging.md).');
    expect(text('docs/README.md')).toContain('[environments/multi-region.md](environments/multi-region.md), [environments/staging.md](environments/staging.md): ');
    const lock = JSON.parse(text('package-lock.json')) as { packages: Record<string, unknown> };
    expect(lock.packages['apps/staging']).toEqual({ name: '@cilium-eks/staging', version: '0.1.0' });
    expect(lock.packages['node_modules/@cilium-eks/staging']).toEqual({ resolved: 'apps/staging', link: true });
    const keys = Object.keys(lock.packages);
    expect(keys.indexOf('apps/staging')).toBe(keys.indexOf('apps/sandbox') + 1);

    // The docs page carries the blocks `npm run docs` fills (the callback runs it).
    const page = text('docs/environments/staging.md');
    for (const marker of ['<!-- commands:staging-deploy -->', '<!-- commands:staging-destroy -->', '<!-- cost-estimate:begin', '<!-- cost-estimate:end -->']) expect(page).toContain(marker);
    expect(page).toContain('| state | s3://acme-tfstate-111111111111/staging/ (the bucket exists: `state.bootstrap: existing`) |');
  });

  test('from prod into a new account: its own bucket (created: bootstrap local), appended after the protected environments', async () => {
    const { text } = await generate({ name: 'prod-eu', from: 'prod', vpcCidr: '10.30.0.0/16', accountId: '444444444444', stateBucket: 'acme-tfstate-444444444444' });
    expect(parse(text('environments/prod-eu.yaml'))).toMatchObject({
      name: 'prod-eu',
      aws_account_id: '444444444444',
      vpc_cidr: '10.30.0.0/16',
      protect_stateful_resources: true,
      state: { bucket: 'acme-tfstate-444444444444', region: 'us-east-1', bootstrap: 'local' },
    });
    expect(text('environments/prod-eu.yaml')).toContain('aws_account_id: "444444444444"');
    expect(text('.github/workflows/deploy.yml')).toContain('app: [sandbox, prod, multi-region, prod-eu]');
    // Protected: no destroy command block.
    expect(text('docs/environments/prod-eu.md')).not.toContain('prod-eu-destroy');
  });

  test('from the multi-region environment: one CIDR per region, a state key prefix of its own', async () => {
    const { text } = await generate({ name: 'mesh-b', from: 'multi-region', vpcCidr: '10.50.0.0/16, 10.51.0.0/16, 10.52.0.0/16', stateKeyPrefix: 'meshes/b' });
    const config = parse(text('environments/mesh-b.yaml')) as { regions: Array<{ vpc_cidr: string }>; state: Record<string, string> };
    expect(config.regions.map((entry) => entry.vpc_cidr)).toEqual(['10.50.0.0/16', '10.51.0.0/16', '10.52.0.0/16']);
    expect(config.state).toEqual({ bucket: 'acme-tfstate-333333333333', region: 'us-west-2', bootstrap: 'existing', key_prefix: 'meshes/b' });
    expect(text('apps/mesh-b/src/mesh-b.ts')).toContain('export const meshBApp: RunAppOptions<MultiRegionConfig> = {');
    expect(text('apps/mesh-b/src/mesh-b.ts')).toContain('load: loadMultiRegionConfig,');
    expect(text('docs/environments/mesh-b.md')).toContain('<!-- commands:mesh-b-deploy-steps -->');
  });
});

describe('refused, with nothing written', () => {
  test.each([
    [
      { name: 'sandbox', from: 'sandbox', vpcCidr: '10.11.0.0/16' },
      [
        '--name "sandbox" is taken (apps/sandbox, environments/sandbox.yaml, docs/environments/sandbox.md, Nx project sandbox); each environment needs its own name',
        'state key prefix "sandbox" is sandbox\'s in bucket acme-tfstate-111111111111; each environment of a bucket needs its own (--state-key-prefix)',
      ],
    ],
    [{ name: 'staging', from: 'sandbox', vpcCidr: '10.10.0.0/16' }, ["--vpc-cidr 10.10.0.0/16 is sandbox's vpc_cidr; each environment needs its own"]],
    [{ name: 'staging', from: 'sandbox', vpcCidr: '10.10.128.0/17' }, ["--vpc-cidr 10.10.128.0/17 overlaps sandbox's VPC 10.10.0.0/16 in account 111111111111"]],
    [{ name: 'staging', from: 'sandbox', vpcCidr: '10.11.0.0/16', stateKeyPrefix: 'sandbox' }, ['state key prefix "sandbox" is sandbox\'s in bucket acme-tfstate-111111111111; each environment of a bucket needs its own (--state-key-prefix)']],
    [{ name: 'staging', from: 'dev', vpcCidr: '10.11.0.0/16' }, ['--from "dev" is not an environment with an app (environments: multi-region, prod, sandbox)']],
    [{ name: 'mesh-b', from: 'multi-region', vpcCidr: '10.50.0.0/16' }, ['--vpc-cidr lists 1 CIDR; multi-region has 3 regions, one each']],
    [{ name: 'staging', from: 'sandbox', vpcCidr: '10.11.0.0/16', accountId: '444444444444' }, ["--state-bucket is required for another account than sandbox's (111111111111)"]],
    [
      { name: 'staging', from: 'sandbox', vpcCidr: '10.11.0.0/16', accountId: '444444444444', stateBucket: 'acme-tfstate-222222222222' },
      ['--state-bucket acme-tfstate-222222222222 keeps the state of account 222222222222 (prod); use a bucket of account 444444444444'],
    ],
    [{ name: 'Staging', from: 'sandbox', vpcCidr: '10.11.0.0/16' }, ['--name "Staging" must be 2-32 lowercase letters, digits or dashes, starting with a letter']],
  ])('%j', async (options, problems) => {
    expect(await refusal(options)).toEqual(problems);
  });

  test('a config the schema refuses is refused with its messages (the copied file validated as the app will)', async () => {
    expect(await refusal({ name: 'staging', from: 'sandbox', vpcCidr: '172.0.0.0/8' })).toEqual(['environments/staging.yaml:8:11: vpc_cidr: "172.0.0.0/8" has prefix /8 (allowed: /16 to /20)']);
  });

  test('a name whose IAM roles another environment of the account already creates', async () => {
    // sandbox's Karpenter node role is sandbox-karpenter-node, the node role of an environment named sandbox-karpenter.
    expect(await refusal({ name: 'sandbox-karpenter', from: 'sandbox', vpcCidr: '10.11.0.0/16' })).toEqual([
      'IAM role "sandbox-karpenter-node" in account 111111111111 would be created by 2 stacks: sandbox-compute (environment sandbox) and sandbox-karpenter-compute (environment sandbox-karpenter); their names derive from the environment names: rename one of the environments',
    ]);
  });
});
