import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JsonSchemaChecker } from '../lib/private/json-schema.js';
import type { ValueProblem } from '../kubernetes/helm-value-overrides.js';
import type { EksAddonName } from './eks-addons.js';

/**
 * The `configuration_values` escape hatch of EKS managed add-ons: values checked against the
 * add-on's configuration JSON schema for the pinned add-on version (what
 * `aws eks describe-addon-configuration` returns), committed under
 * reference/eks/addon-configuration/<add-on>/<version>.json with its source and date. An
 * add-on version without a committed schema takes no values: EKS would judge them only at apply.
 */

/** Where the pinned configuration schemas live. */
export const ADDON_CONFIGURATION_SCHEMAS = new URL('../../reference/eks/addon-configuration/', import.meta.url);

/** A committed `describe-addon-configuration` answer, with where and when it was read. */
interface AddonConfigurationFile {
  readonly source: string;
  readonly retrieved: string;
  readonly addonName: string;
  readonly addonVersion: string;
  /** The schema as EKS returns it: a JSON document in a string. */
  readonly configurationSchema: string;
}

/** The file that pins an add-on version's configuration schema, relative to the repository root. */
export function addonConfigurationSchemaPath(name: EksAddonName, version: string): string {
  return `packages/cluster-factory/reference/eks/addon-configuration/${name}/${version}.json`;
}

const checkers = new Map<string, JsonSchemaChecker | undefined>();

/** The configuration schema pinned for an add-on version, or undefined when none is committed. */
export function pinnedAddonConfigurationSchema(name: EksAddonName, version: string, directory: URL = ADDON_CONFIGURATION_SCHEMAS): JsonSchemaChecker | undefined {
  const file = new URL(`${name}/${version}.json`, directory);
  const key = file.href;
  if (!checkers.has(key)) {
    if (!existsSync(fileURLToPath(file))) {
      checkers.set(key, undefined);
    } else {
      const pinned = JSON.parse(readFileSync(file, 'utf8')) as AddonConfigurationFile;
      if (pinned.addonName !== name || pinned.addonVersion !== version || !pinned.source || !/^\d{4}-\d{2}-\d{2}$/.test(pinned.retrieved ?? '')) {
        throw new Error(`${fileURLToPath(file)}: must hold the describe-addon-configuration answer for ${name} ${version} with "source" and "retrieved" (YYYY-MM-DD)`);
      }
      // EKS returns draft-06 schemas; draft-07 reads them the same way.
      checkers.set(key, new JsonSchemaChecker(JSON.parse(pinned.configurationSchema) as object, '7'));
    }
  }
  return checkers.get(key);
}

/**
 * Problems of an add-on's configuration values (paths relative to them): refused whole when no
 * schema is pinned for the add-on version, else every schema violation.
 */
export function addonConfigurationProblems(
  name: EksAddonName,
  version: string,
  values: Readonly<Record<string, unknown>>,
  kubernetesVersion: string,
  directory: URL = ADDON_CONFIGURATION_SCHEMAS,
): ValueProblem[] {
  const schema = pinnedAddonConfigurationSchema(name, version, directory);
  if (!schema) {
    return [
      {
        path: [],
        message: `no configuration schema is pinned for ${name} ${version} (the version pinned for Kubernetes ${kubernetesVersion}), so its values cannot be checked and are refused; to pin it, save the output of \`aws eks describe-addon-configuration --addon-name ${name} --addon-version ${version} --output json\`, with "source" and "retrieved" (YYYY-MM-DD) added, as ${addonConfigurationSchemaPath(name, version)}`,
      },
    ];
  }
  return schema.issues(values).map((issue) => ({ path: issue.path, message: `${issue.message} (configuration schema of ${name} ${version})` }));
}

/** JSON with every map's keys sorted: the same values always give the same configuration_values string. */
export function addonConfigurationJson(values: Readonly<Record<string, unknown>>): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sort((value as Record<string, unknown>)[key])]));
    return value;
  };
  return JSON.stringify(sort(values));
}
