import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatPath, type Finding } from './messages.js';
import { namespaceConflict } from '../addons/user-addons.js';

/** A manifest add-on as the schema parses it. */
interface ManifestEntry {
  readonly name: string;
  readonly namespace: string;
  readonly create_namespace: boolean;
  readonly file?: string;
  readonly objects?: ReadonlyArray<Record<string, unknown>>;
}
interface WithManifests {
  readonly user_addons: { readonly manifests: readonly ManifestEntry[] };
}

/** Whether a YAML document is a Kubernetes object: a mapping with apiVersion, kind and metadata.name. */
function objectProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not a mapping';
  const object = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const missing = [
    ...(typeof object.apiVersion === 'string' && object.apiVersion ? [] : ['apiVersion']),
    ...(typeof object.kind === 'string' && object.kind ? [] : ['kind']),
    ...(typeof object.metadata?.name === 'string' && object.metadata.name ? [] : ['metadata.name']),
  ];
  return missing.length > 0 ? `has no ${missing.join(', ')}` : undefined;
}

/**
 * Reads the files of `user_addons.manifests` relative to the config's directory, once: `check`
 * reports what cannot be read or is not a list of Kubernetes objects (at the `file` field);
 * `apply` returns the config with each entry's objects taken from its file.
 */
export function manifestFiles(configDirectory: string) {
  const read = new Map<number, Array<Record<string, unknown>>>();
  return {
    check(config: WithManifests): Finding[] {
      const findings: Finding[] = [];
      config.user_addons.manifests.forEach((entry, index) => {
        if (entry.file === undefined) return;
        const path = ['user_addons', 'manifests', index, 'file'];
        const refuse = (text: string) => findings.push({ path, text: `${formatPath(path)}: ${text}` });
        const location = resolve(configDirectory, entry.file);
        let text: string;
        try {
          text = readFileSync(location, 'utf8');
        } catch (error) {
          refuse(`cannot read ${entry.file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); the path is relative to the directory of this config file`);
          return;
        }
        const documents = parseAllDocuments(text);
        const syntax = (Array.isArray(documents) ? documents : [documents]).flatMap((document) => document.errors);
        if (syntax.length > 0) {
          const position = syntax[0]!.linePos?.[0];
          refuse(`${entry.file}${position ? `:${position.line}:${position.col}` : ''} is not valid YAML: ${syntax[0]!.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '')}`);
          return;
        }
        const objects = (documents as Array<{ toJS(): unknown }>).map((document) => document.toJS() as unknown).filter((value) => value !== null && value !== undefined);
        if (objects.length === 0) {
          refuse(`${entry.file} holds no Kubernetes object`);
          return;
        }
        const problems = objects.flatMap((object, documentIndex) => {
          const problem = objectProblem(object);
          return problem ? [`document ${documentIndex + 1} ${problem}`] : [];
        });
        if (problems.length > 0) {
          refuse(`${entry.file}: ${problems.join('; ')} (each document must be a Kubernetes object with apiVersion, kind and metadata.name)`);
          return;
        }
        const conflict = namespaceConflict(entry, objects as Array<Record<string, unknown>>);
        if (conflict) {
          const at = ['user_addons', 'manifests', index, 'create_namespace'];
          findings.push({ path: at, text: `${formatPath(at)}: ${conflict}` });
          return;
        }
        read.set(index, objects as Array<Record<string, unknown>>);
      });
      return findings;
    },
    apply<C extends WithManifests>(config: C): C {
      if (read.size === 0) return config;
      const manifests = config.user_addons.manifests.map((entry, index) => (read.has(index) ? { ...entry, objects: read.get(index) } : entry));
      return { ...config, user_addons: { ...config.user_addons, manifests } };
    },
  };
}
