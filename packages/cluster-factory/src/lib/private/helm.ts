import { Token } from 'cdktf';
import { stringify } from 'yaml';
import type { ReleaseSet } from '@cdktf/provider-helm/lib/release';

/**
 * Splits typed Helm values into a static YAML document (sorted keys: deterministic and
 * reviewable in the plan) and `set` entries for the values only known at apply time
 * (cdktf tokens such as remote-state reads).
 */
export function helmValues(values: object): { values: string[]; set?: ReleaseSet[] } {
  const set: ReleaseSet[] = [];
  const strip = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string' && Token.isUnresolved(node)) {
      set.push({ name: path.map((key) => key.replace(/\./g, '\\.')).join('.'), value: node });
      return undefined;
    }
    if (Array.isArray(node)) return node.map((item, index) => strip(item, [...path.slice(0, -1), `${path.at(-1)}[${index}]`]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        const stripped = strip(value, [...path, key]);
        if (stripped !== undefined) out[key] = stripped;
      }
      return out;
    }
    return node;
  };
  const staticValues = strip(values, []);
  return {
    values: [stringify(staticValues, { sortMapEntries: true, lineWidth: 0 })],
    set: set.length > 0 ? set.sort((a, b) => a.name.localeCompare(b.name)) : undefined,
  };
}
