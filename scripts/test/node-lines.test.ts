import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import semver from 'semver';
import { NODE_LINES } from '../node-lines.mjs';

const ROOT = join(import.meta.dirname, '../..');
const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const tested = Object.entries(NODE_LINES.tested);

/** Every package installed in node_modules (nested ones too) that states the Node.js versions it runs on. */
function packageEngines(dir = join(ROOT, 'node_modules')): Array<{ name: string; node: string }> {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) return packageEngines(path);
      const manifest = join(path, 'package.json');
      const own = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } }) : {};
      const found = typeof own.engines?.node === 'string' ? [{ name: `${own.name}@${own.version}`, node: own.engines.node }] : [];
      return existsSync(join(path, 'node_modules')) ? [...found, ...packageEngines(join(path, 'node_modules'))] : found;
    });
}

describe('supported Node.js lines (scripts/node-lines.json, package.json engines)', () => {
  test('the supported lines are the LTS lines of the day the schedule was read; Node.js 20 left support on 2026-04-30', () => {
    const day = NODE_LINES.checked;
    const lts = Object.entries(NODE_LINES.schedule)
      .filter(([, dates]) => dates.activeLts <= day && day < dates.endOfLife)
      .map(([line]) => line);
    expect(tested.map(([line]) => line)).toEqual(lts);
    expect(NODE_LINES.schedule['20']!.endOfLife).toBe('2026-04-30');
    expect(NODE_LINES.source).toContain('https://github.com/nodejs/Release/blob/');
    for (const [line, version] of tested) expect(semver.major(version), version).toBe(Number(line));
    expect(NODE_LINES.tested).toHaveProperty(NODE_LINES.primary);
  });

  test('engines admits every tested version and no other line', () => {
    for (const [, version] of tested) expect(semver.satisfies(version, engines), version).toBe(true);
    for (let major = 0; major <= 40; major += 1) {
      if (NODE_LINES.tested[String(major)]) continue;
      expect(semver.intersects(engines, `${major}.x`), `Node.js ${major}`).toBe(false);
    }
  });

  test('every installed package runs on the lowest version engines admits on each line: npm ci has no engine to warn about (it warned 40 times on Node.js 20)', () => {
    const lowest = new semver.Range(engines).set.map((comparators) => semver.minVersion(new semver.Range(comparators.map((comparator) => comparator.value).join(' ')))!.version);
    // One range per line, each checked from its lowest version up.
    expect(lowest.map((version) => String(semver.major(version)))).toEqual(tested.map(([line]) => line));
    const packages = packageEngines();
    expect(packages.length).toBeGreaterThan(100);
    const refused = lowest.flatMap((version) => packages.filter((entry) => !semver.satisfies(version, entry.node)).map((entry) => `${entry.name} needs ${entry.node}, not ${version}`));
    expect(refused).toEqual([]);
  });

  test('the README names the lines and where their dates come from', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const lines = tested.map(([line]) => line);
    expect(readme).toContain(`Node.js ${lines.slice(0, -1).join(', ')} or ${lines.at(-1)}`);
    expect(readme).toContain('[scripts/node-lines.json](scripts/node-lines.json)');
  });

  test(`the cdktf CLI's native module (node-pty) loads on this line, Node.js ${process.versions.node}`, () => {
    // Its package has binaries up to Node.js 22 (ABI 127); on later lines npm builds it at install
    // (python3, make, a C++ compiler, and that Node.js's headers: npm's nodedir, or downloaded).
    const load = () => createRequire(join(ROOT, 'node_modules/cdktf-cli/package.json'))('@cdktf/node-pty-prebuilt-multiarch');
    expect(load, 'rebuild it for this Node.js: npm rebuild @cdktf/node-pty-prebuilt-multiarch').not.toThrow();
  });

  test('cdktf still calls util.isArray (runtime-deprecated since Node.js 22), which acknowledgeCdktfDeprecations takes silently: drop that once it does not', () => {
    const output = readFileSync(join(ROOT, 'node_modules/cdktf/lib/terraform-output.js'), 'utf8');
    expect(output).toMatch(/\(0, util_\d+\.isArray\)\(/);
  });
});
