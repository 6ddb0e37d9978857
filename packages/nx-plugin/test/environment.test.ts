import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Tree } from '@nx/devkit';
import { createTree } from '@nx/devkit/testing';
import { environmentGenerator, EnvironmentGeneratorError, type EnvironmentGeneratorOptions } from '../src/generators/environment/generator.js';
import { expectedMatrix, workspaceEnvironments } from './free-environment.js';

const ROOT = join(import.meta.dirname, '../../..');
/** What the generator reads and writes, as committed (git-ignored outputs left out). */
const WORKSPACE_FILES = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', 'environments', 'apps', 'docs', '.github', 'workspace-apps.ts', 'package-lock.json', 'nx.json', '.gitignore'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

/** Names and CIDRs no environment uses yet (the workspace may hold generated environments). */
const ENVIRONMENTS = workspaceEnvironments(ROOT);
const NAME = ENVIRONMENTS.freeName('staging');
const [CIDR, ...MESH_CIDRS] = ENVIRONMENTS.freeCidrs(5) as [string, string, string, string, string];
const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
const matrixOf = (workflow: string) => (parse(workflow) as { jobs: { deploy: { strategy: { matrix: { app: string[] } } } } }).jobs.deploy.strategy.matrix.app;
const MATRIX = matrixOf(readFileSync(join(ROOT, '.github/workflows/deploy.yml'), 'utf8'));

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
  test(`${NAME} from sandbox: config, app, test, docs page and every registry`, async () => {
    const { changes, text, callback } = await generate({ name: NAME, from: 'sandbox', vpcCidr: CIDR });
    expect(changes).toEqual({
      [`environments/${NAME}.yaml`]: 'CREATE',
      [`apps/${NAME}/cdktf.json`]: 'CREATE',
      [`apps/${NAME}/main.ts`]: 'CREATE',
      [`apps/${NAME}/package.json`]: 'CREATE',
      [`apps/${NAME}/project.json`]: 'CREATE',
      [`apps/${NAME}/src/${NAME}.ts`]: 'CREATE',
      [`apps/${NAME}/tsconfig.json`]: 'CREATE',
      [`apps/${NAME}/vitest.config.ts`]: 'CREATE',
      [`apps/${NAME}/test/app.test.ts`]: 'CREATE',
      [`docs/environments/${NAME}.md`]: 'CREATE',
      'workspace-apps.ts': 'UPDATE',
      '.github/workflows/deploy.yml': 'UPDATE',
      'docs/README.md': 'UPDATE',
      'package-lock.json': 'UPDATE',
    });
    expect(typeof callback).toBe('function');

    // The config: sandbox's, with the fields that must differ, using sandbox's bucket as existing.
    const sandbox = readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8');
    const config = text(`environments/${NAME}.yaml`);
    expect(config.split('\n').slice(0, 3)).toEqual([
      '# yaml-language-server: $schema=./environment.schema.json',
      `# ${NAME}: created from environments/sandbox.yaml by \`npx nx g @cilium-eks/nx-plugin:environment\`.`,
      '# Review what the copy kept (sizes, tags, admin principals, protection) before the first deploy.',
    ]);
    expect(parse(config)).toEqual({
      ...parse(sandbox),
      name: NAME,
      vpc_cidr: CIDR,
      state: { bucket: 'acme-tfstate-111111111111', region: 'us-west-2', bootstrap: 'existing' },
    });

    // The app: every file of apps/sandbox but its tests, the names replaced.
    const sandboxProject = readFileSync(join(ROOT, 'apps/sandbox/project.json'), 'utf8');
    expect(text(`apps/${NAME}/project.json`)).toBe(sandboxProject.replace(/sandbox/g, NAME));
    expect(text(`apps/${NAME}/main.ts`)).toBe(`import { runApp } from '@cilium-eks/cluster-factory';\nimport { ${camel(NAME)}App } from './src/${NAME}.js';\n\nrunApp(${camel(NAME)}App);\n`);
    expect(text(`apps/${NAME}/src/${NAME}.ts`)).toContain(`configPath: resolve(import.meta.dirname, '../../../environments/${NAME}.yaml'),`);
    expect(text(`apps/${NAME}/src/${NAME}.ts`)).toContain(`export const ${camel(NAME)}App: RunAppOptions<EnvironmentConfig> = {`);
    expect(JSON.parse(text(`apps/${NAME}/cdktf.json`)).projectId).toBe(`cilium-eks-${NAME}`);
    expect(text(`apps/${NAME}/test/app.test.ts`)).toContain(`expect(stacks.includes('${NAME}-state')).toBe(CONFIG.state.bootstrap !== 'existing');`);

    // Registries: the one list of apps (in order), the deploy matrix (unprotected before protected), the docs index, the lockfile.
    const registry = text('workspace-apps.ts');
    expect(registry).toContain(`import { ${camel(NAME)}App } from './apps/${NAME}/src/${NAME}.js';\n`);
    const entries = registry.split('\n').filter((line) => line.startsWith("  workspaceApp('"));
    expect(entries).toContain(`  workspaceApp('${NAME}', ${camel(NAME)}App),`);
    expect(entries).toEqual([...entries].sort((a, b) => a.localeCompare(b)));
    expect(matrixOf(text('.github/workflows/deploy.yml'))).toEqual(expectedMatrix(MATRIX, NAME, false, ENVIRONMENTS.protectedByName));
    expect(matrixOf(text('.github/workflows/deploy.yml')).slice(0, 2)).toEqual(['sandbox', expect.any(String)]);
    expect(text('docs/README.md')).toContain(`, [${NAME}](diagrams/${NAME}.md).\n`);
    expect(text('docs/README.md')).toContain(`, [environments/${NAME}.md](environments/${NAME}.md): `);
    const lock = JSON.parse(text('package-lock.json')) as { packages: Record<string, unknown> };
    expect(lock.packages[`apps/${NAME}`]).toEqual({ name: `@cilium-eks/${NAME}`, version: '0.1.0' });
    expect(lock.packages[`node_modules/@cilium-eks/${NAME}`]).toEqual({ resolved: `apps/${NAME}`, link: true });
    const keys = Object.keys(lock.packages).slice(1);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b, 'en')));

    // The docs page carries the blocks `npm run docs` fills (the callback runs it).
    const page = text(`docs/environments/${NAME}.md`);
    for (const marker of [`<!-- commands:${NAME}-deploy -->`, `<!-- commands:${NAME}-destroy -->`, '<!-- cost-estimate:begin', '<!-- cost-estimate:end -->']) expect(page).toContain(marker);
    expect(page).toContain(`| state | s3://acme-tfstate-111111111111/${NAME}/ (the bucket exists: \`state.bootstrap: existing\`) |`);
  });

  test('from prod into a new account: its own bucket (created: bootstrap local), appended after the protected environments', async () => {
    const name = ENVIRONMENTS.freeName('prod-eu');
    const { text } = await generate({ name, from: 'prod', vpcCidr: CIDR, accountId: '444444444444', stateBucket: `acme-tfstate-444444444444-${name}` });
    expect(parse(text(`environments/${name}.yaml`))).toMatchObject({
      name,
      aws_account_id: '444444444444',
      vpc_cidr: CIDR,
      protect_stateful_resources: true,
      state: { bucket: `acme-tfstate-444444444444-${name}`, region: 'us-east-1', bootstrap: 'local' },
    });
    expect(text(`environments/${name}.yaml`)).toContain('aws_account_id: "444444444444"');
    expect(matrixOf(text('.github/workflows/deploy.yml'))).toEqual([...MATRIX, name]);
    // Protected: no destroy command block.
    expect(text(`docs/environments/${name}.md`)).not.toContain(`${name}-destroy`);
  });

  test('from the multi-region environment: one CIDR per region, a state key prefix of its own', async () => {
    const name = ENVIRONMENTS.freeName('mesh-b');
    const cidrs = MESH_CIDRS.slice(0, 3);
    const { text } = await generate({ name, from: 'multi-region', vpcCidr: cidrs.join(', '), stateKeyPrefix: `meshes/${name}` });
    const config = parse(text(`environments/${name}.yaml`)) as { regions: Array<{ vpc_cidr: string }>; state: Record<string, string> };
    expect(config.regions.map((entry) => entry.vpc_cidr)).toEqual(cidrs);
    expect(config.state).toEqual({ bucket: 'acme-tfstate-333333333333', region: 'us-west-2', bootstrap: 'existing', key_prefix: `meshes/${name}` });
    expect(text(`apps/${name}/src/${name}.ts`)).toContain(`export const ${camel(name)}App: RunAppOptions<MultiRegionConfig> = {`);
    expect(text(`apps/${name}/src/${name}.ts`)).toContain('load: loadMultiRegionConfig,');
    expect(text(`docs/environments/${name}.md`)).toContain(`<!-- commands:${name}-deploy-steps -->`);
  });
});

describe('refused, with nothing written', () => {
  test.each([
    [
      { name: 'sandbox', from: 'sandbox', vpcCidr: CIDR },
      [
        '--name "sandbox" is taken (apps/sandbox, environments/sandbox.yaml, docs/environments/sandbox.md, Nx project sandbox); each environment needs its own name',
        'state key prefix "sandbox" is sandbox\'s in bucket acme-tfstate-111111111111; each environment of a bucket needs its own (--state-key-prefix)',
      ],
    ],
    [{ name: NAME, from: 'sandbox', vpcCidr: '10.10.0.0/16' }, ["--vpc-cidr 10.10.0.0/16 is sandbox's vpc_cidr; each environment needs its own"]],
    [{ name: NAME, from: 'sandbox', vpcCidr: '10.10.128.0/17' }, ["--vpc-cidr 10.10.128.0/17 overlaps sandbox's VPC 10.10.0.0/16 in account 111111111111"]],
    [{ name: NAME, from: 'sandbox', vpcCidr: CIDR, stateKeyPrefix: 'sandbox' }, ['state key prefix "sandbox" is sandbox\'s in bucket acme-tfstate-111111111111; each environment of a bucket needs its own (--state-key-prefix)']],
    [{ name: NAME, from: 'dev', vpcCidr: CIDR }, [`--from "dev" is not an environment with an app (environments: ${ENVIRONMENTS.names.join(', ')})`]],
    [{ name: NAME, from: 'multi-region', vpcCidr: CIDR }, ['--vpc-cidr lists 1 CIDR; multi-region has 3 regions, one each']],
    [{ name: NAME, from: 'sandbox', vpcCidr: CIDR, accountId: '444444444444' }, ["--state-bucket is required for another account than sandbox's (111111111111)"]],
    [
      { name: NAME, from: 'sandbox', vpcCidr: CIDR, accountId: '444444444444', stateBucket: 'acme-tfstate-222222222222' },
      ['--state-bucket acme-tfstate-222222222222 keeps the state of account 222222222222 (prod); use a bucket of account 444444444444'],
    ],
    [{ name: 'Staging', from: 'sandbox', vpcCidr: CIDR }, ['--name "Staging" must be 2-32 lowercase letters, digits or dashes, starting with a letter']],
  ])('%j', async (options, problems) => {
    expect(await refusal(options)).toEqual(problems);
  });

  test('a config the schema refuses is refused with its messages (the copied file validated as the app will)', async () => {
    expect(await refusal({ name: NAME, from: 'sandbox', vpcCidr: '172.0.0.0/8' })).toEqual([`environments/${NAME}.yaml:8:11: vpc_cidr: "172.0.0.0/8" has prefix /8 (allowed: /16 to /20)`]);
  });

  test('a name whose IAM roles another environment of the account already creates', async () => {
    // sandbox's Karpenter node role is sandbox-karpenter-node, the node role of an environment named sandbox-karpenter.
    expect(await refusal({ name: 'sandbox-karpenter', from: 'sandbox', vpcCidr: CIDR })).toEqual([
      'IAM role "sandbox-karpenter-node" in account 111111111111 would be created by 2 stacks: sandbox-compute (environment sandbox) and sandbox-karpenter-compute (environment sandbox-karpenter); their names derive from the environment names: rename one of the environments',
    ]);
  });
});
