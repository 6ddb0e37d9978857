import { afterAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateCost, renderJson } from '@cilium-eks/cost-estimate';

const ROOT = join(import.meta.dirname, '../..');

/** Every shell line of README.md and docs/ that asks for JSON (`--format=json`), without its comment. */
function documentedJsonCommands(): Array<{ page: string; command: string }> {
  const pages = ['README.md', ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];
  return pages.flatMap((page) =>
    [...readFileSync(join(ROOT, page), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((block) => block[1]!.split('\n'))
      .filter((line) => /--format[= ]json\b/.test(line))
      .map((line) => ({ page, command: line.replace(/\s+#.*$/, '').trim() })),
  );
}

/** Hermetic Nx: its own cache and workspace data, so earlier runs cannot answer these. */
const scratch = mkdtempSync(join(tmpdir(), 'ci-outputs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('documented invocations for CI produce what CI can parse', () => {
  const commands = documentedJsonCommands();

  test('the docs show the Nx cost target for CI, and the CLI itself', () => {
    expect(commands.map((entry) => entry.command)).toEqual(
      expect.arrayContaining(['npx nx run prod:cost --format=json --out=cost.json', 'npx tsx packages/cost-estimate/src/cli.ts apps/prod/cdktf.out --environment prod --format=json']),
    );
  });

  // In order: the Nx target synthesizes the app the CLI line then reads.
  test.each(commands)('$page: $command', ({ command }) => {
    const out = /--out[= ](\S+)/.exec(command)?.[1];
    if (out) rmSync(join(ROOT, out), { force: true });
    const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_CACHE_DIRECTORY: join(scratch, 'cache'), NX_WORKSPACE_DATA_DIRECTORY: join(scratch, 'workspace-data') };
    for (const name of ['CLUSTER_FACTORY_CONFIG', 'CLUSTER_FACTORY_OUTDIR', 'CDKTF_OUTDIR']) delete env[name];
    const run = spawnSync('bash', ['-c', command], { cwd: ROOT, env, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    // JSON where the command says it is: the --out file, else all of stdout.
    const text = out ? readFileSync(join(ROOT, out), 'utf8') : run.stdout;
    if (out) rmSync(join(ROOT, out));
    const app = /\b(sandbox|prod|multi-region)\b/.exec(command)![1]!;
    expect(JSON.parse(text)).toEqual(JSON.parse(renderJson(estimateCost(join(ROOT, 'apps', app, 'cdktf.out'), app))));
  }, 300_000);
});
