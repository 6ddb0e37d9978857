import { execFileSync } from 'node:child_process';
import { getProjects, logger, names, visitNotIgnoredFiles, type GeneratorCallback, type Tree } from '@nx/devkit';
import { parse, parseDocument } from 'yaml';
import { App } from 'cdktf';
import {
  ConfigError,
  cidrsOverlap,
  defineMultiRegionEnvironment,
  parseIpv4Cidr,
  defineSingleRegion,
  multiRegionSchema,
  parseConfig,
  parseEnvironmentConfig,
  sharedAccountResourceProblems,
  type EnvironmentConfig,
  type MultiRegionConfig,
} from '@cilium-eks/cluster-factory';
import { COST_SECTION_BEGIN, COST_SECTION_END } from '@cilium-eks/cost-estimate';

export interface EnvironmentGeneratorOptions {
  /** The new environment: config, app, Nx project and stack prefix. */
  readonly name: string;
  /** The existing environment to copy. */
  readonly from: string;
  /** The new VPC CIDR; multi-region: one per region, comma-separated. */
  readonly vpcCidr: string;
  /** state.key_prefix. @default name */
  readonly stateKeyPrefix?: string;
  /** @default the copied environment's account */
  readonly accountId?: string;
  /** @default the copied environment's bucket (same account only) */
  readonly stateBucket?: string;
}

/** Thrown when the options are refused; nothing is written. */
export class EnvironmentGeneratorError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`nx g @cilium-eks/nx-plugin:environment refused, nothing was written:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'EnvironmentGeneratorError';
  }
}

const GENERATOR = 'npx nx g @cilium-eks/nx-plugin:environment';
const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const DEPLOY_WORKFLOW = '.github/workflows/deploy.yml';
const WORKSPACE_APPS = 'workspace-apps.ts';
const DOCS_INDEX = 'docs/README.md';

/** An environment file of the workspace, validated with the schema its shape calls for. */
interface Environment {
  readonly name: string;
  readonly file: string;
  readonly config: EnvironmentConfig | MultiRegionConfig;
}

const isMultiRegion = (config: EnvironmentConfig | MultiRegionConfig): config is MultiRegionConfig => 'regions' in config;
const vpcCidrs = (config: EnvironmentConfig | MultiRegionConfig) => (isMultiRegion(config) ? config.regions.map((entry) => entry.vpc_cidr) : [config.vpc_cidr]);
const keyPrefix = (config: EnvironmentConfig | MultiRegionConfig) => config.state.key_prefix ?? config.name;

/** Validates a config text the way its app will (multi-region files have `regions`). */
function parseAny(text: string, file: string): EnvironmentConfig | MultiRegionConfig {
  const raw = parse(text) as Record<string, unknown> | null;
  return raw && 'regions' in raw ? parseConfig(text, file, multiRegionSchema) : parseEnvironmentConfig(text, file);
}

/** Every environment of the workspace (environments/*.yaml that parse; a broken one is its own app's problem). */
function environments(tree: Tree): Environment[] {
  return tree
    .children('environments')
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const path = `environments/${file}`;
      try {
        return [{ name: file.replace(/\.yaml$/, ''), file: path, config: parseAny(tree.read(path, 'utf-8')!, path) }];
      } catch (error) {
        if (error instanceof ConfigError) return [];
        throw error;
      }
    });
}

/** The new environment's config: the copied file with its comments, the fields that must differ replaced. */
function newConfigText(tree: Tree, source: Environment, options: EnvironmentGeneratorOptions, derived: { cidrs: string[]; bucket: string; bootstrap: 'local' | 'existing'; accountId: string }): string {
  const document = parseDocument(tree.read(source.file, 'utf-8')!);
  // The first key carries the file's header: keep the editor's schema line, describe the copy.
  const first = (document.contents as { items: Array<{ key: { commentBefore?: string | null } }> }).items[0]!.key;
  const schemaLine = (first.commentBefore ?? '').split('\n').filter((line) => line.trim().startsWith('yaml-language-server:'));
  first.commentBefore = [
    ...schemaLine,
    ` ${options.name}: created from ${source.file} by \`${GENERATOR}\`.`,
    ' Review what the copy kept (sizes, tags, admin principals, protection) before the first deploy.',
  ].join('\n');
  document.set('name', options.name);
  if (derived.accountId !== source.config.aws_account_id) document.set('aws_account_id', derived.accountId);
  if (isMultiRegion(source.config)) derived.cidrs.forEach((cidr, index) => document.setIn(['regions', index, 'vpc_cidr'], cidr));
  else document.set('vpc_cidr', derived.cidrs[0]);
  document.setIn(['state', 'bucket'], derived.bucket);
  document.setIn(['state', 'bootstrap'], derived.bootstrap);
  if (options.stateKeyPrefix) document.setIn(['state', 'key_prefix'], options.stateKeyPrefix);
  else document.deleteIn(['state', 'key_prefix']);
  // One EC2 Spot service-linked role per account: the environment copied from keeps it.
  if (derived.accountId === source.config.aws_account_id && source.config.karpenter.create_spot_service_linked_role) {
    document.setIn(['karpenter', 'create_spot_service_linked_role'], false);
  }
  return document.toString({ flowCollectionPadding: false });
}

/** Refusals of the options against the workspace, every one at once. */
function checkOptions(tree: Tree, options: EnvironmentGeneratorOptions, all: Environment[]): { source: Environment; cidrs: string[]; bucket: string; bootstrap: 'local' | 'existing'; accountId: string } {
  const problems: string[] = [];
  const { name, from } = options;
  if (!NAME.test(name)) problems.push(`--name "${name}" must be 2-32 lowercase letters, digits or dashes, starting with a letter`);
  const taken = [`apps/${name}`, `environments/${name}.yaml`, `docs/environments/${name}.md`].filter((path) => tree.exists(path));
  if (name === from || taken.length > 0 || getProjects(tree).has(name)) {
    problems.push(`--name "${name}" is taken (${[...taken, ...(getProjects(tree).has(name) ? [`Nx project ${name}`] : [])].join(', ') || `it is the environment copied`}); each environment needs its own name`);
  }
  const source = all.find((environment) => environment.name === from);
  if (!source || !tree.exists(`apps/${from}/main.ts`)) {
    throw new EnvironmentGeneratorError([...problems, `--from "${from}" is not an environment with an app (environments: ${all.map((environment) => environment.name).join(', ')})`]);
  }
  const accountId = options.accountId ?? source.config.aws_account_id;
  if (!/^\d{12}$/.test(accountId)) problems.push(`--account-id "${accountId}" must be 12 digits`);
  const sameAccount = all.filter((environment) => environment.config.aws_account_id === accountId);

  const cidrs = options.vpcCidr.split(',').map((cidr) => cidr.trim());
  const regions = vpcCidrs(source.config).length;
  if (cidrs.length !== regions) problems.push(`--vpc-cidr lists ${cidrs.length} CIDR${cidrs.length === 1 ? '' : 's'}; ${from} has ${regions} region${regions === 1 ? '' : 's'}, one each`);
  for (const cidr of cidrs) {
    if (!parseIpv4Cidr(cidr)) {
      problems.push(`--vpc-cidr "${cidr}" is not an IPv4 CIDR block such as 10.11.0.0/16`);
      continue;
    }
    if (vpcCidrs(source.config).includes(cidr)) problems.push(`--vpc-cidr ${cidr} is ${from}'s vpc_cidr; each environment needs its own`);
    for (const other of sameAccount) {
      for (const range of vpcCidrs(other.config)) {
        if (!(other === source && range === cidr) && cidrsOverlap(cidr, range)) problems.push(`--vpc-cidr ${cidr} overlaps ${other.name}'s VPC ${range} in account ${accountId}`);
      }
    }
  }

  const bucket = options.stateBucket ?? (accountId === source.config.aws_account_id ? source.config.state.bucket : undefined);
  if (!bucket) problems.push(`--state-bucket is required for another account than ${from}'s (${source.config.aws_account_id})`);
  const users = all.filter((environment) => environment.config.state.bucket === bucket);
  const foreign = users.find((environment) => environment.config.aws_account_id !== accountId);
  if (foreign) problems.push(`--state-bucket ${bucket} keeps the state of account ${foreign.config.aws_account_id} (${foreign.name}); use a bucket of account ${accountId}`);
  const prefix = options.stateKeyPrefix ?? name;
  const sharing = users.find((environment) => keyPrefix(environment.config) === prefix);
  if (sharing) problems.push(`state key prefix "${prefix}" is ${sharing.name}'s in bucket ${bucket}; each environment of a bucket needs its own (--state-key-prefix)`);
  if (problems.length > 0) throw new EnvironmentGeneratorError(problems);
  return { source, cidrs, bucket: bucket!, bootstrap: users.length > 0 ? 'existing' : 'local', accountId };
}

/** Every name the new environment and the workspace's would both create in one account (IAM roles, buckets, state keys ...). */
function sharedNames(all: Environment[], config: EnvironmentConfig | MultiRegionConfig): string[] {
  const app = new App({ skipValidation: true });
  for (const { config: each } of [...all, { config }]) {
    if (isMultiRegion(each)) defineMultiRegionEnvironment(app, each);
    else defineSingleRegion(app, each);
  }
  return sharedAccountResourceProblems(app);
}

/** apps/<from> copied as apps/<name>: every file but outputs (git-ignored) and tests, the names replaced. */
function copyApp(tree: Tree, from: string, name: string): void {
  const kebab = new RegExp(`(?<![A-Za-z0-9_])${from.replace(/[-]/g, '\\-')}(?![A-Za-z0-9_])`, 'g');
  const camel = new RegExp(`\\b${names(from).propertyName}App\\b`, 'g');
  const rename = (text: string) => text.replace(camel, `${names(name).propertyName}App`).replace(kebab, name);
  visitNotIgnoredFiles(tree, `apps/${from}`, (path) => {
    const relative = path.slice(`apps/${from}/`.length);
    if (relative.startsWith('test/')) return;
    tree.write(`apps/${name}/${rename(relative)}`, rename(tree.read(path, 'utf-8')!));
  });
}

/** The new app's test: its real entry point synthesizes its own stacks, pinned to its account, without a policy error. */
function appTest(name: string): string {
  return `import { describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runAppProcess } from '@cilium-eks/cluster-factory/testing/app-process';

// Written by \`${GENERATOR}\`; add tests for what makes this environment different.
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = parse(readFileSync(join(APP_DIR, '../../environments/${name}.yaml'), 'utf8')) as { aws_account_id: string; state: { bootstrap?: string } };

describe('${name} app', () => {
  test('synthesizes through the real entry point: its own stacks, pinned to its account, no policy error', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), '${name}-')), 'cdktf.out');
    const result = runAppProcess(APP_DIR, { outdir });
    expect(result.status, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
    const stacks = Object.keys(manifest.stacks);
    expect(stacks.filter((stack) => !stack.startsWith('${name}-'))).toEqual([]);
    // The state bucket stack exists exactly when this environment creates the bucket.
    expect(stacks.includes('${name}-state')).toBe(CONFIG.state.bootstrap !== 'existing');
    for (const [stack, entry] of Object.entries(manifest.stacks)) {
      const json = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')) as { provider?: { aws?: Array<{ allowed_account_ids: string[] }> } };
      for (const provider of json.provider?.aws ?? []) expect(provider.allowed_account_ids, stack).toEqual([CONFIG.aws_account_id]);
    }
    const report = JSON.parse(readFileSync(join(outdir, 'policy-report.json'), 'utf8')) as { summary: { errors: number } };
    expect(report.summary.errors).toBe(0);
  });
});
`;
}

/** docs/environments/<name>.md: what it is, its deploy commands and its cost (both blocks filled by `npm run docs`). */
function docsPage(name: string, from: string, config: EnvironmentConfig | MultiRegionConfig): string {
  const state = `s3://${config.state.bucket}/${keyPrefix(config)}/ (${config.state.bootstrap === 'existing' ? 'the bucket exists: `state.bootstrap: existing`' : `created by \`${name}-state\``})`;
  const where = isMultiRegion(config)
    ? [`| account | ${config.aws_account_id} |`, ...config.regions.map((entry) => `| ${entry.region} | VPC ${entry.vpc_cidr}, zones ${entry.availability_zones.join(', ')}, Cilium cluster id ${entry.cluster_id} |`)]
    : [`| account / region | ${config.aws_account_id} / ${config.region}, zones ${config.availability_zones.join(', ')} |`, `| network | VPC ${config.vpc_cidr} |`];
  const blocks = isMultiRegion(config) ? [`${name}-deploy`, `${name}-deploy-steps`] : [`${name}-deploy`, ...(config.protect_stateful_resources ? [] : [`${name}-destroy`])];
  return [
    `# ${name}`,
    '',
    `Created from [${from}](${from}.md) by \`${GENERATOR}\`: \`environments/${name}.yaml\`, app \`apps/${name}\``,
    `(Nx project \`${name}\`). Say here what this environment is for and how it differs from ${from}.`,
    '',
    '| | |',
    '|---|---|',
    ...where,
    `| state | ${state} |`,
    `| protection | ${config.protect_stateful_resources ? '`protect_stateful_resources: true`: prevent_destroy on stateful resources, deletions refused by the deploy' : 'none (`protect_stateful_resources: false`)'} |`,
    '',
    '## Deploy order',
    '',
    `Stacks in deployment order: \`npx tsx scripts/deploy-order.ts apps/${name}/cdktf.out\` (after`,
    `\`npx nx run ${name}:synth\`). CI deploys it from the deploy workflow's matrix (docs/CI.md): give it a GitHub`,
    `environment \`${name}\` and an entry in the \`DEPLOY_ROLES\` variable.`,
    '',
    ...blocks.flatMap((block) => [`<!-- commands:${block} -->`, `<!-- /commands:${block} -->`, '']),
    '## Monthly cost',
    '',
    `The estimate below is computed from the synthesized stacks (\`npx nx run ${name}:cost\`; JSON with \`--format=json\`).`,
    '',
    COST_SECTION_BEGIN,
    COST_SECTION_END,
    '',
  ].join('\n');
}

/** Inserts a line into the sorted run of lines matching `pattern`, in order; throws when the run is missing. */
function insertSorted(text: string, pattern: RegExp, line: string, file: string): string {
  const lines = text.split('\n');
  const run = lines.map((candidate, index) => (pattern.test(candidate) ? index : -1)).filter((index) => index >= 0);
  if (run.length === 0) throw new EnvironmentGeneratorError([`${file} has no line like ${pattern}; register the app there by hand`]);
  const before = run.find((index) => lines[index]!.localeCompare(line) > 0);
  lines.splice(before ?? run.at(-1)! + 1, 0, line);
  return lines.join('\n');
}

/** workspace-apps.ts: the import and the entry, each in order. */
function registerApp(tree: Tree, name: string): void {
  const symbol = `${names(name).propertyName}App`;
  let text = tree.read(WORKSPACE_APPS, 'utf-8')!;
  text = insertSorted(text, /^import \{ \w+ \} from '\.\/apps\//, `import { ${symbol} } from './apps/${name}/src/${name}.js';`, WORKSPACE_APPS);
  text = insertSorted(text, /^ {2}workspaceApp\('/, `  workspaceApp('${name}', ${symbol}),`, WORKSPACE_APPS);
  tree.write(WORKSPACE_APPS, text);
}

/** The deploy workflow's matrix: an unprotected environment before the first protected one, a protected one last. */
function addToDeployMatrix(tree: Tree, name: string, all: Environment[], isProtected: boolean): void {
  const text = tree.read(DEPLOY_WORKFLOW, 'utf-8')!;
  const match = /(\n\s+matrix:\n\s+app: \[)([^\]]*)(\])/.exec(text);
  if (!match) throw new EnvironmentGeneratorError([`${DEPLOY_WORKFLOW} has no "matrix: app: [...]" list; add ${name} to it by hand`]);
  const apps = match[2]!.split(',').map((app) => app.trim());
  const protectedApps = new Set(all.filter((environment) => environment.config.protect_stateful_resources).map((environment) => environment.name));
  const firstProtected = apps.findIndex((app) => protectedApps.has(app));
  apps.splice(isProtected || firstProtected < 0 ? apps.length : firstProtected, 0, name);
  tree.write(DEPLOY_WORKFLOW, text.replace(match[0], `${match[1]}${apps.join(', ')}${match[3]}`));
}

/** docs/README.md: the diagram and the environment page in the index (a missing line is reported, not fatal). */
function addToDocsIndex(tree: Tree, name: string): void {
  if (!tree.exists(DOCS_INDEX)) return;
  let text = tree.read(DOCS_INDEX, 'utf-8')!;
  const diagrams = /(- Stack diagrams[^\n]*\]\(diagrams\/[\w-]+\.md\))/;
  const pages = /(- \[environments\/[\w-]+\.md\][^\n]*\[environments\/[\w-]+\.md\]\(environments\/[\w-]+\.md\))/;
  if (diagrams.test(text)) text = text.replace(diagrams, `$1, [${name}](diagrams/${name}.md)`);
  else logger.warn(`${DOCS_INDEX}: no "Stack diagrams" line; link docs/diagrams/${name}.md by hand`);
  if (pages.test(text)) text = text.replace(pages, `$1, [environments/${name}.md](environments/${name}.md)`);
  else logger.warn(`${DOCS_INDEX}: no environment pages line; link docs/environments/${name}.md by hand`);
  tree.write(DOCS_INDEX, text);
}

/** package-lock.json: the new workspace package, where npm would put it (npm ci refuses a lock without it). */
function addToLockfile(tree: Tree, name: string): void {
  const lock = JSON.parse(tree.read('package-lock.json', 'utf-8')!) as { packages: Record<string, unknown> };
  const manifest = JSON.parse(tree.read(`apps/${name}/package.json`, 'utf-8')!) as { name: string; version: string };
  const added: Record<string, unknown> = {
    [`apps/${name}`]: { name: manifest.name, version: manifest.version },
    [`node_modules/${manifest.name}`]: { resolved: `apps/${name}`, link: true },
  };
  const packages: Record<string, unknown> = {};
  const pending = Object.keys(added).sort();
  for (const [key, value] of Object.entries(lock.packages)) {
    while (key !== '' && pending.length > 0 && pending[0]!.localeCompare(key, 'en') < 0) packages[pending[0]!] = added[pending.shift()!];
    packages[key] = value;
  }
  for (const key of pending) packages[key] = added[key];
  tree.write('package-lock.json', `${JSON.stringify({ ...lock, packages }, null, 2)}\n`);
}

/**
 * `npx nx g @cilium-eks/nx-plugin:environment <name> --from=<env> --vpc-cidr=<cidr>`: a new
 * environment copied from an existing one. Refused, with nothing written, when a field that
 * must differ does not (name, VPC CIDR, state key prefix), when the config would not validate,
 * or when it would create a name another environment of the account creates. Writes the config,
 * the app (every file of the copied one, so its targets stay in step), a test, a docs page, the
 * registry entry (workspace-apps.ts), the deploy matrix, the docs index and the lockfile; then
 * `npm run docs` fills the new page's commands and cost and draws its stack diagram.
 */
export async function environmentGenerator(tree: Tree, options: EnvironmentGeneratorOptions): Promise<GeneratorCallback> {
  const all = environments(tree);
  const derived = checkOptions(tree, options, all);
  const { source } = derived;
  const text = newConfigText(tree, source, options, derived);
  const file = `environments/${options.name}.yaml`;
  let config: EnvironmentConfig | MultiRegionConfig;
  try {
    config = parseAny(text, file);
  } catch (error) {
    if (error instanceof ConfigError) throw new EnvironmentGeneratorError(error.problems);
    throw error;
  }
  const shared = sharedNames(all, config);
  if (shared.length > 0) throw new EnvironmentGeneratorError(shared);

  tree.write(file, text);
  copyApp(tree, source.name, options.name);
  tree.write(`apps/${options.name}/test/app.test.ts`, appTest(options.name));
  tree.write(`docs/environments/${options.name}.md`, docsPage(options.name, source.name, config));
  registerApp(tree, options.name);
  addToDeployMatrix(tree, options.name, all, config.protect_stateful_resources);
  addToDocsIndex(tree, options.name);
  addToLockfile(tree, options.name);
  logger.info(
    [
      `${options.name}: ${derived.bootstrap === 'existing' ? `state in the existing bucket ${derived.bucket}` : `creates its state bucket ${derived.bucket} (npx cdktf deploy ${options.name}-state first, docs/STATE_BOOTSTRAP.md)`}.`,
      `Next: review ${file}, then npx nx run ${options.name}:synth and npx nx run ${options.name}:validate.`,
    ].join('\n'),
  );
  return () => {
    // The stack diagram, and the commands and cost of the new page, come from the synthesized app.
    execFileSync('npm', ['run', 'docs'], { cwd: tree.root, stdio: 'inherit' });
  };
}

export default environmentGenerator;
