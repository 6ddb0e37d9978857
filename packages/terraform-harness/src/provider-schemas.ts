import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ProviderSchemas } from './placeholders.js';
import { terraform } from './terraform.js';
import type { TerraformRunner } from './shared-provider.js';

/** Directory of the cached `terraform providers schema -json` answers. @default <os tmpdir>/terraform-harness-schemas */
export const SCHEMA_CACHE_VARIABLE = 'TF_HARNESS_SCHEMA_CACHE';

/**
 * `terraform providers schema -json` of an initialized working directory, cached on disk by the
 * identity of the binaries that answer it (terraform, and each provider plugin .terraform links
 * to: real path, size, modification time). Starting the aws provider costs about 2 CPU seconds
 * and its schema is 13 MB of JSON; the same binaries always answer the same, so one run per
 * machine is enough. An uninitialized directory or a failed run is never cached.
 */
export async function providerSchemas(workdir: string, env: NodeJS.ProcessEnv, run: TerraformRunner = terraform): Promise<ProviderSchemas | undefined> {
  const key = cacheKey(workdir, env);
  const cacheDir = env[SCHEMA_CACHE_VARIABLE] || join(tmpdir(), 'terraform-harness-schemas');
  const file = key ? join(cacheDir, `${key}.json`) : undefined;
  if (file && existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProviderSchemas;
    } catch {
      // A torn or foreign file: ask terraform again and replace it.
    }
  }
  const answer = await run(workdir, ['providers', 'schema', '-json'], env);
  if (answer.code !== 0) return undefined;
  const schemas = JSON.parse(answer.stdout) as ProviderSchemas;
  if (file) {
    mkdirSync(cacheDir, { recursive: true });
    // Written whole, then renamed: a parallel reader never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, answer.stdout);
    renameSync(partial, file);
  }
  return schemas;
}

/** The binaries' identity, or undefined when the directory has no installed provider to name. */
function cacheKey(workdir: string, env: NodeJS.ProcessEnv): string | undefined {
  const binaries = [terraformBinary(env), ...providerBinaries(join(workdir, '.terraform/providers'))];
  if (binaries.length < 2 || binaries.includes(undefined)) return undefined;
  const hash = createHash('sha256');
  for (const binary of binaries as string[]) {
    const stat = statSync(binary);
    hash.update(`${binary}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

/** The terraform found on PATH, as execFile finds it. */
function terraformBinary(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'terraform');
    if (existsSync(candidate) && statSync(candidate).isFile()) return realpathSync(candidate);
  }
  return undefined;
}

/** Every plugin executable under .terraform/providers/<host>/<namespace>/<type>/<version>/<platform>/. */
function providerBinaries(dir: string): Array<string | undefined> {
  const found: Array<string | undefined> = [];
  const walk = (path: string, depth: number) => {
    if (depth === 5) {
      const real = realpathSync(path);
      const plugin = readdirSync(real).find((name) => name.startsWith('terraform-provider-'));
      found.push(plugin ? join(real, plugin) : undefined);
      return;
    }
    for (const name of readdirSync(path).sort()) walk(join(path, name), depth + 1);
  };
  if (existsSync(dir)) walk(dir, 0);
  return found;
}
