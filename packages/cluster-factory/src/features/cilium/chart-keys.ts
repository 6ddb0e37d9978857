import { readFileSync } from 'node:fs';
import { CILIUM_CHART } from './versions.js';

/** Keys the chart removed or rejects; they must never be emitted (see shared/reference/cilium). */
export const REMOVED_CILIUM_KEYS = ['tunnel'] as const;

/** The key paths the pinned Cilium chart accepts. */
export function ciliumChartKeys(version: string = CILIUM_CHART.version): Set<string> {
  const text = readFileSync(new URL(`./chart-keys/cilium-${version}.txt`, import.meta.url), 'utf8');
  return new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')));
}

/**
 * Paths of `values` that the chart does not know, or that it removed. A path under a known
 * key the chart leaves free-form (a map such as `annotations`, a list such as
 * `clustermesh.config.clusters`) is accepted; a typo under a structured key is not.
 */
export function unknownCiliumKeys(paths: readonly string[], version: string = CILIUM_CHART.version): string[] {
  const known = ciliumChartKeys(version);
  const keys = [...known];
  const freeForm = (prefix: string) => known.has(prefix) && !keys.some((key) => key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[]`));
  const accepted = (path: string) => {
    if (known.has(path)) return true;
    const boundaries = [...path.matchAll(/\.|\[\]/g)].map((match) => match.index!);
    return boundaries.some((index) => freeForm(path.slice(0, index)));
  };
  return paths.filter((path) => !accepted(path) || (REMOVED_CILIUM_KEYS as readonly string[]).includes(path));
}
