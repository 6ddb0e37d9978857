import { execFileSync, spawnSync } from 'node:child_process';
// The app at the ref, not this checkout's: it runs in a process of its own.
import { runAppProcess } from '@cilium-eks/cluster-factory/testing/app-process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SynthDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly unchanged: string[];
}

/** A synthesized stack without cdktf's `//` metadata (construct paths, versions). */
export function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '//').map(([key, inner]) => [key, withoutMetadata(inner)]));
  }
  return value;
}

function stacksOf(outdir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return new Map(
    Object.entries(manifest.stacks).map(([name, stack]) => [name, JSON.stringify(withoutMetadata(JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8'))))]),
  );
}

/** Which stacks differ between two cdktf.out directories, ignoring metadata. */
export function diffSynthOutputs(baseOutdir: string, headOutdir: string): SynthDiff {
  const base = stacksOf(baseOutdir);
  const head = stacksOf(headOutdir);
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const diff = { added: [] as string[], removed: [] as string[], changed: [] as string[], unchanged: [] as string[] };
  for (const name of names) {
    if (!base.has(name)) diff.added.push(name);
    else if (!head.has(name)) diff.removed.push(name);
    else if (base.get(name) !== head.get(name)) diff.changed.push(name);
    else diff.unchanged.push(name);
  }
  return diff;
}

/**
 * Synthesizes an app as it is at a git ref: a detached worktree of the ref that reuses this
 * workspace's installed packages (so no `npm ci`), with the workspace's own packages
 * resolved from the ref. Refuses when the ref's lockfile differs: its dependencies are not
 * the installed ones.
 */
export function synthAtRef(workspaceRoot: string, ref: string, app: string): { outdir: string; cleanup: () => void } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' });
  const lockAtRef = git('show', `${ref}:package-lock.json`);
  if (lockAtRef !== readFileSync(join(workspaceRoot, 'package-lock.json'), 'utf8')) {
    throw new Error(`the dependencies at ${ref} differ from the installed ones; synthesize it in its own checkout after npm ci`);
  }
  const root = mkdtempSync(join(tmpdir(), 'synth-diff-'));
  const checkout = join(root, 'checkout');
  git('worktree', 'add', '--detach', '--quiet', checkout, ref);
  const cleanup = () => {
    spawnSync('git', ['worktree', 'remove', '--force', checkout], { cwd: workspaceRoot });
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const modules = join(checkout, 'node_modules');
    mkdirSync(modules);
    const installed = join(workspaceRoot, 'node_modules');
    for (const entry of readdirSync(installed)) {
      if (entry === '@cilium-eks') continue;
      symlinkSync(realpathSync(join(installed, entry)), join(modules, entry));
    }
    // The workspace's own packages come from the ref.
    mkdirSync(join(modules, '@cilium-eks'));
    for (const parent of ['packages', 'apps', 'scripts']) {
      const dir = join(checkout, parent);
      const candidates = parent === 'scripts' ? [dir] : existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
      for (const candidate of candidates) {
        const manifest = join(candidate, 'package.json');
        if (!existsSync(manifest)) continue;
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name;
        if (name.startsWith('@cilium-eks/')) symlinkSync(candidate, join(modules, name));
      }
    }
    const outdir = join(root, 'cdktf.out');
    const appDir = join(checkout, 'apps', app);
    if (!existsSync(join(appDir, 'main.ts'))) throw new Error(`app ${app} does not exist at ${ref}`);
    const result = runAppProcess(appDir, { outdir });
    if (result.status !== 0) throw new Error(`synth of ${app} at ${ref} failed:\n${result.stderr}`);
    return { outdir, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

export function formatSynthDiff(diff: SynthDiff): string {
  const line = (label: string, stacks: string[]) => `${label}: ${stacks.length > 0 ? stacks.join(', ') : '-'}`;
  return [line('changed', diff.changed), line('added', diff.added), line('removed', diff.removed), line('unchanged', diff.unchanged)].join('\n');
}
