import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLUGIN_MIRROR_VARIABLE, readSynthesizedStacks, writeCliConfig } from '@cilium-eks/terraform-harness';
import { DOCUMENTED_COMMANDS } from '../lib/commands.js';
import { sharedOutputs } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');
const CDKTF = join(ROOT, 'node_modules/.bin/cdktf');

/** Splits a documented command the way a POSIX shell would (single quotes only; that is all the docs use). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

const globToRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);


/** e2e (`vitest run --mode e2e`): one cdktf CLI start, and terraform init, per documented command. */
describe('documented commands', () => {
  test(
    'the real cdktf CLI accepts every documented command and gets as far as terraform, where credentials are needed',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'commands-'));
      // terraform init writes into the stack directories: each app's output is this test's own copy.
      const outdirs = new Map(
        [...sharedOutputs()].map(([app, shared]) => {
          const outdir = join(work, app, 'cdktf.out');
          cpSync(shared, outdir, { recursive: true });
          return [app, outdir];
        }),
      );
      const cliConfig = join(work, 'terraform.rc');
      writeCliConfig(cliConfig, { mirror: process.env[PLUGIN_MIRROR_VARIABLE] || undefined, pluginCacheDir: mkdtempSync(join(work, 'plugins-')) });
      // Placeholder credentials that no AWS endpoint accepts: nothing can be created.
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIAPLACEHOLDER00000',
        AWS_SECRET_ACCESS_KEY: 'placeholder',
        AWS_EC2_METADATA_DISABLED: 'true',
        TF_CLI_CONFIG_FILE: cliConfig,
        CHECKPOINT_DISABLE: '1',
        CI: '1',
      };
      for (const name of ['FORCE_COLOR', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'TF_PLUGIN_CACHE_DIR', 'CDKTF_OUTDIR']) delete env[name];

      const runOne = ({ app, command }: (typeof DOCUMENTED_COMMANDS)[number]) =>
        new Promise<{ command: string; code: number | null; output: string; selected: string[] }>((resolve) => {
          const outdir = outdirs.get(app)!;
          const words = shellWords(command).slice(2); // drop `npx cdktf`
          const patterns = words.slice(1).filter((word) => !word.startsWith('--'));
          const selected = readSynthesizedStacks(outdir)
            .map((stack) => stack.name)
            .filter((name) => patterns.some((pattern) => globToRegExp(pattern).test(name)));
          // As documented, from apps/<app>; the synthesized output is the test's own copy.
          const child = spawn(CDKTF, [...words, '--skip-synth', '--output', outdir, '--no-color'], { cwd: join(ROOT, 'apps', app), env });
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
          // cdktf colours stack names when FORCE_COLOR is set (as under Nx), whatever --no-color says.
          child.on('close', (code) => resolve({ command, code, output: output.replace(/\x1b\[[0-9;]*m/g, ''), selected }));
        });

      // A few at a time: each CLI start costs seconds. A command shown in two blocks runs once.
      const results: Array<Awaited<ReturnType<typeof runOne>>> = [];
      const unique = [...new Map(DOCUMENTED_COMMANDS.map((entry) => [`${entry.app} ${entry.command}`, entry])).values()];
      const queue = [...unique];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) results.push(await runOne(next));
        }),
      );
      expect(results).toHaveLength(unique.length);
      for (const result of results) {
        const context = `${result.command}\n${result.output}`;
        expect(result.selected.length, context).toBeGreaterThan(0);
        expect(result.output, context).not.toMatch(/Usage Error|Could not find stack|Found more than one stack/i);
        // terraform ran for a stack of this command, and stopped where AWS credentials are needed.
        const initialized = [...result.output.matchAll(/^(\S+)\s+Initializing the backend\.\.\./gm)].map((match) => match[1]!);
        expect(initialized.length, context).toBeGreaterThan(0);
        for (const stack of initialized) expect(result.selected, context).toContain(stack);
        expect(result.output, context).toMatch(/validating provider credentials|InvalidClientTokenId|no such host|failed to refresh cached credentials|Failed to query available provider packages|terraform (init|plan) failed/);
        expect(result.code, context).not.toBe(0);
      }
      writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
    },
    600_000,
  );
});
