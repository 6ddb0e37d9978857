import { readFileSync } from 'node:fs';

const REFERENCE = new URL('../../reference/', import.meta.url);

/** Reads a committed key list (reference/<chart>-<version>/<file>): one path a line, # comments. */
export function referenceKeyList(file: string): Set<string> {
  const text = readFileSync(new URL(file, REFERENCE), 'utf8');
  return new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')));
}

/**
 * Every key path of a chart's parsed values.yaml, sorted: maps are walked, list items are `[]`
 * (the form of reference/<chart>-<version>/values-keys.txt). A map or list left empty in the
 * chart is listed itself: what goes below it is free-form.
 */
export function chartValueKeys(values: unknown): string[] {
  const paths = new Set<string>();
  const walk = (node: unknown, prefix: string): void => {
    if (prefix) paths.add(prefix);
    if (Array.isArray(node)) for (const item of node) walk(item, `${prefix}[]`);
    else if (node && typeof node === 'object') for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
  };
  walk(values, '');
  return [...paths].sort();
}

/** Every leaf path of a values object (`[]` for list items of objects). */
export function leafPaths(values: object, prefix = ''): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) return value.some((item) => item && typeof item === 'object') ? value.flatMap((item) => leafPaths(item, `${path}[]`)) : [path];
    if (value && typeof value === 'object' && Object.keys(value).length > 0) return leafPaths(value, path);
    return [path];
  });
}

/**
 * Paths of `values` a chart's values.yaml does not declare. `freeForm` lists maps the chart
 * passes through whole (documented as such in its values.yaml): anything below them is the
 * user's. Helm itself accepts unknown keys silently, so this is the only place a typo shows.
 */
export function undeclaredValueKeys(values: object, declared: ReadonlySet<string>, freeForm: readonly string[] = []): string[] {
  return leafPaths(values).filter((path) => !declared.has(path) && !freeForm.some((prefix) => path.startsWith(`${prefix}.`)));
}

/**
 * Key paths of a chart's parsed values.yaml whose value is an empty map or list, sorted: the
 * chart passes what goes below them through whole (`podAnnotations: {}`, `tolerations: []`), so
 * any key under them is the user's (reference/<chart>-<version>/free-form-keys.txt).
 */
export function chartFreeFormKeys(values: unknown): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, prefix: string): void => {
    if (Array.isArray(node)) {
      if (node.length === 0 && prefix) paths.push(prefix);
      for (const item of node) walk(item, `${prefix}[]`);
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      if (entries.length === 0 && prefix) paths.push(prefix);
      for (const [key, value] of entries) walk(value, prefix ? `${prefix}.${key}` : key);
    }
  };
  walk(values, '');
  return [...new Set(paths)].sort();
}
