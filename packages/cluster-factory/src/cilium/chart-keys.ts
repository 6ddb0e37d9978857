import { readFileSync } from 'node:fs';
import { CILIUM_CHART } from '../versions.js';

/** Keys the chart removed or rejects; they must never be emitted (see shared/reference/cilium). */
export const REMOVED_CILIUM_KEYS = ['tunnel'] as const;

/** The key paths the pinned Cilium chart accepts. */
export function ciliumChartKeys(version: string = CILIUM_CHART.version): Set<string> {
  const text = readFileSync(new URL(`./chart-keys/cilium-${version}.txt`, import.meta.url), 'utf8');
  return new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')));
}

/** Paths of `values` that the chart does not know, or that it removed. */
export function unknownCiliumKeys(paths: readonly string[], version: string = CILIUM_CHART.version): string[] {
  const known = ciliumChartKeys(version);
  return paths.filter((path) => !known.has(path) || (REMOVED_CILIUM_KEYS as readonly string[]).includes(path));
}
