// Nx runtime input of every synth target (nx.json namedInputs.synthOverrides): everything in the
// environment that changes what an app writes or whether its synth fails, as one line for the
// task hash. scripts/test/synth-inputs.test.ts checks that every variable cdktf's library and
// cluster-factory read is classified below, and that each input changes the line.
// - CLUSTER_FACTORY_CONFIG: the content of the file it names, not only its name (a variant
//   edited in place is another input). Apps run in apps/<app>, so a relative path is hashed
//   as each app would read it.
// - the files the config's user add-ons name (user_addons.manifests[].file and
//   user_addons.helm_charts[].values_schema, relative to the config): the config of
//   CLUSTER_FACTORY_CONFIG, else every environments/*.yaml.
// - CLUSTER_FACTORY_OUTDIR: the output goes where Nx neither stores nor restores it, so such
//   a run is never answered from the cache (a fresh random value).
// - the variables of SYNTH_VARIABLES, set or unset (cdktf tests some for presence only).
// - the day (CLUSTER_FACTORY_TODAY, else the UTC date): synth judges the Kubernetes version on
//   it. The output never depends on it, but the warnings and whether synth refuses do, so a
//   cached answer is reused on the same day only.
// - the terraform that cdktf's synth-time check runs (`terraform version`, for stacks with
//   moved resources: Terraform >= 1.5), named by TERRAFORM_BINARY_NAME and found on PATH.
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

/** Variables whose value (or mere presence) changes what synth writes or whether it fails. */
export const SYNTH_VARIABLES = {
  CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'cdktf writes the output despite error annotations (policy violations) when it is set, whatever its value',
  SYNTH_HCL_OUTPUT: 'cdktf writes cdk.tf (HCL) instead of cdk.tf.json',
  CDKTF_CONTEXT_JSON: 'construct context (cdktf feature flags, cdktfRelativeModules), read by the App',
  CDKTF_OUTDIR: 'the cdktf CLI output directory, written in place',
  TERRAFORM_BINARY_NAME: 'the terraform binary cdktf asks for its version when a stack moves resources',
  NODE_OPTIONS: 'flags of the Node.js process that runs the app (warnings, preloaded modules, memory)',
  TSX_TSCONFIG_PATH: 'the tsconfig tsx compiles the app with',
};

/** Variables the synth code reads that are not inputs, and why. */
export const NOT_SYNTH_INPUTS = {
  CDKTF_TARGET_STACK_ID: 'the cdktf CLI selects a stack with it; cdktf 0.21 stores it on the App and never reads it during synth',
};

const root = resolve(import.meta.dirname, '..');

/** The content hash of a file, or `missing`. */
const contentOf = (file) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing');

/** Files a config's user add-ons read, as `<label> <path>`: manifests and values schemas. */
const ADDON_FILES = [
  { label: 'manifest', list: 'manifests', field: 'file' },
  { label: 'values_schema', list: 'helm_charts', field: 'values_schema' },
];

/** The files a config's user add-ons read, each `{ label, file }` resolved against its directory (none when it cannot be parsed: synth refuses it anyway). */
export function addonFilesOf(config) {
  let addons;
  try {
    addons = parse(readFileSync(config, 'utf8'))?.user_addons;
  } catch {
    return [];
  }
  return ADDON_FILES.flatMap(({ label, list, field }) => {
    const entries = addons?.[list];
    return (Array.isArray(entries) ? entries : []).flatMap((entry) => (typeof entry?.[field] === 'string' ? [{ label, file: resolve(dirname(config), entry[field]) }] : []));
  });
}

/** The line Nx hashes, from an environment (process.env by default). */
export function synthInputLine(env = process.env) {
  const parts = [];
  const config = env.CLUSTER_FACTORY_CONFIG?.trim();
  if (config) {
    const candidates = isAbsolute(config) ? [config] : readdirSync(join(root, 'apps')).map((app) => join(root, 'apps', app, config));
    for (const file of candidates) {
      parts.push(`config ${file} ${contentOf(file)}`);
      for (const { label, file: read } of addonFilesOf(file)) parts.push(`${label} ${read} ${contentOf(read)}`);
    }
  } else {
    parts.push('config default');
    const environments = join(root, 'environments');
    for (const file of readdirSync(environments).filter((name) => name.endsWith('.yaml')).sort()) {
      for (const { label, file: read } of addonFilesOf(join(environments, file))) parts.push(`${label} ${read} ${contentOf(read)}`);
    }
  }
  parts.push(env.CLUSTER_FACTORY_OUTDIR ? `outdir redirected ${randomUUID()}` : 'outdir default');
  parts.push(`day ${env.CLUSTER_FACTORY_TODAY?.trim() || new Date().toISOString().slice(0, 10)}`);
  for (const name of Object.keys(SYNTH_VARIABLES)) parts.push(env[name] === undefined ? `${name} unset` : `${name}=${JSON.stringify(env[name])}`);
  const terraform = env.TERRAFORM_BINARY_NAME || 'terraform';
  const version = spawnSync(`${terraform} version`, { env: { ...env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8', shell: true });
  parts.push(`terraform ${version.status === 0 ? version.stdout.split('\n')[0] : 'not found'}`);
  return parts.join('; ');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(`${synthInputLine()}\n`);
