import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generatedDocs } from '../generate-docs.js';
import { APPS, sharedOutputs } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');

describe('docs that cannot drift', () => {
  const pages = generatedDocs(sharedOutputs());

  test.each([...pages.keys()])('%s matches the code (run `npm run docs` after a change)', (path) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(pages.get(path));
  });

  test('one diagram per app, none for apps that are gone', () => {
    const apps = readdirSync(join(ROOT, 'apps')).sort();
    expect(readdirSync(join(ROOT, 'docs/diagrams')).sort()).toEqual(apps.map((app) => `${app}.md`));
  });

  test('every app with a main.ts is in scripts/lib/apps.ts, so docs and tests synthesize all of them', () => {
    const apps = readdirSync(join(ROOT, 'apps')).filter((app) => existsSync(join(ROOT, 'apps', app, 'main.ts')));
    expect(apps.length).toBeGreaterThan(0);
    expect(Object.keys(APPS).sort()).toEqual(apps.sort());
    for (const app of apps) expect(APPS[app]!.dir).toBe(join(ROOT, 'apps', app));
  });

  test('every page the docs index links to exists', () => {
    const index = readFileSync(join(ROOT, 'docs/README.md'), 'utf8');
    const links = [...index.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1]!).filter((link) => !link.startsWith('http'));
    expect(links.length).toBeGreaterThan(15);
    for (const link of links) expect(existsSync(join(ROOT, 'docs', link)), link).toBe(true);
  });
});
