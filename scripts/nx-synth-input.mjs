// Nx runtime input of every synth target (nx.json namedInputs.synthOverrides): what the
// override variables make an app read and write, as one line for the task hash.
// - CLUSTER_FACTORY_CONFIG: the content of the file it names, not only its name (a variant
//   edited in place is another input). Apps run in apps/<app>, so a relative path is hashed
//   as each app would read it.
// - CLUSTER_FACTORY_OUTDIR: the output goes where Nx neither stores nor restores it, so such
//   a run is never answered from the cache (a fresh random value).
// - the day (CLUSTER_FACTORY_TODAY, else the UTC date): synth judges the Kubernetes version on
//   it. The output never depends on it, but the warnings and whether synth refuses do, so a
//   cached answer is reused on the same day only.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const config = process.env.CLUSTER_FACTORY_CONFIG?.trim();
const parts = [];
if (config) {
  const candidates = isAbsolute(config) ? [config] : readdirSync(join(root, 'apps')).map((app) => join(root, 'apps', app, config));
  for (const file of candidates) {
    const content = existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing';
    parts.push(`config ${file} ${content}`);
  }
} else {
  parts.push('config default');
}
parts.push(process.env.CLUSTER_FACTORY_OUTDIR ? `outdir redirected ${randomUUID()}` : 'outdir default');
parts.push(`day ${process.env.CLUSTER_FACTORY_TODAY?.trim() || new Date().toISOString().slice(0, 10)}`);
process.stdout.write(`${parts.join('; ')}\n`);
