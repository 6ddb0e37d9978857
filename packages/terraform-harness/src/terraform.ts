import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Environment variable naming an offline provider mirror in the registry layout. */
export const PLUGIN_MIRROR_VARIABLE = 'TF_PLUGIN_MIRROR';

/**
 * Why terraform cannot install providers here, or undefined when it can: from the offline mirror
 * (TF_PLUGIN_MIRROR), or, where the caller accepts downloads, from the registry in CI (machines
 * without a mirror may have no registry access). Tests skip with this reason.
 */
export function whyNoProviders(options: { registryInCi?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[PLUGIN_MIRROR_VARIABLE]) return undefined;
  if (options.registryInCi && env.CI) return undefined;
  return `${PLUGIN_MIRROR_VARIABLE} is not set${options.registryInCi ? ' and this is not CI' : ''}: no provider mirror to install hashicorp/aws from (.ci/run finds the machine's)`;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform in a directory, never interactively, never with colour. */
export function terraform(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<TerraformResult> {
  return new Promise((resolve) => {
    execFile(
      'terraform',
      args,
      { cwd, env: { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
      },
    );
  });
}

/** Provider addresses (`registry.terraform.io/hashicorp/aws`) present in a mirror directory. */
export function mirrorContents(mirror: string): Set<string> {
  const found = new Set<string>();
  if (!existsSync(mirror)) return found;
  for (const host of readdirSync(mirror)) {
    for (const namespace of safeList(join(mirror, host))) {
      for (const type of safeList(join(mirror, host, namespace))) found.add(`${host}/${namespace}/${type}`);
    }
  }
  return found;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * A Terraform CLI config: providers in the mirror come from it and nowhere else; all
 * others still install from their registry. A shared plugin cache avoids copying the
 * aws provider (hundreds of MB) once per stack.
 */
export function writeCliConfig(file: string, options: { mirror?: string; pluginCacheDir: string }): void {
  const lines: string[] = [];
  if (options.mirror) {
    const providers = [...mirrorContents(options.mirror)].map((p) => JSON.stringify(p)).join(', ');
    lines.push(
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(options.mirror)}`,
      `    include = [${providers}]`,
      '  }',
      '  direct {',
      `    exclude = [${providers}]`,
      '  }',
      '}',
    );
  }
  lines.push(`plugin_cache_dir = ${JSON.stringify(options.pluginCacheDir)}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}
