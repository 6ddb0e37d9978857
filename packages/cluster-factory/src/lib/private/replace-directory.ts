import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replacing a directory without a moment where it is half written: the new content is built
 * in a staging directory beside the target, then renamed in. Rename is atomic; a directory
 * cannot be renamed over a non-empty one, so the current one is first renamed aside (never
 * deleted before the new one is in place) and removed afterwards. Concurrent writers retry
 * until one complete directory wins; readers see the old or a new complete directory, never
 * a partial one. Leftovers of a killed process are removed (or restored) by the next run.
 */

const STAGING = 'staging';
const REPLACED = 'replaced';
const LEFTOVER = /^(.*)\.(staging|replaced)-(\d+)-[A-Za-z0-9]{6}$/;

/** A fresh, empty directory beside `target` (same file system, so rename is atomic). */
export function createStagingDirectory(target: string): string {
  mkdirSync(dirname(target), { recursive: true });
  removeLeftovers(target);
  return mkdtempSync(`${target}.${STAGING}-${process.pid}-`);
}

/** Moves `staging` to `target`, replacing what is there; `staging` no longer exists afterwards. */
export function replaceDirectory(staging: string, target: string, attempts = 200): void {
  for (let attempt = 1; ; attempt += 1) {
    try {
      renameSync(staging, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') || attempt >= attempts) {
        rmSync(staging, { recursive: true, force: true });
        throw error;
      }
    }
    // Another directory is at the target: move it aside, then try again.
    const aside = mkdtempSync(`${target}.${REPLACED}-${process.pid}-`);
    try {
      renameSync(target, join(aside, 'previous'));
    } catch (error) {
      // Another writer moved it first.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        rmSync(aside, { recursive: true, force: true });
        rmSync(staging, { recursive: true, force: true });
        throw error;
      }
    }
    rmSync(aside, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Staging and set-aside directories of processes that no longer run. A set-aside directory is
 * put back when the process died between the two renames and nothing replaced it since.
 */
export function removeLeftovers(target: string): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  for (const entry of readdirSync(parent)) {
    const match = LEFTOVER.exec(entry);
    if (!match || match[1] !== basename(target) || isAlive(Number(match[3]))) continue;
    const path = join(parent, entry);
    const previous = join(path, 'previous');
    if (match[2] === REPLACED && !existsSync(target) && existsSync(previous)) {
      try {
        renameSync(previous, target);
      } catch {
        // Another process restored or replaced it meanwhile.
      }
    }
    rmSync(path, { recursive: true, force: true });
  }
}
