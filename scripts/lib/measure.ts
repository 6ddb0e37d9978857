import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Whole-process timing for scripts/benchmark.ts: wall time, the CPU time of the measured
 * processes, and the CPU time everything else on the machine used meanwhile. The machine
 * may be shared; the last figure says whether a wall time can be trusted.
 */

/** Clock ticks per second of /proc (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds of this process's finished children (proc(5): cutime, cstime). */
export function childrenCpuSeconds(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // Fields 16 and 17 of proc(5); index 0 here is field 3.
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** CPU seconds the whole machine spent busy since boot, every core together (the `cpu` line of /proc/stat, idle and iowait excluded). */
export function machineBusySeconds(stat = existsSync('/proc/stat') ? readFileSync('/proc/stat', 'utf8') : undefined): number | undefined {
  const line = stat?.split('\n').find((entry) => entry.startsWith('cpu '));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal ...; guest time is already counted in user.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

export interface Timing {
  readonly seconds: number;
  /** CPU seconds of the command and its descendants (when they are reaped, as spawnSync does). */
  readonly cpuSeconds?: number;
  /** CPU seconds the rest of the machine used during the run: other sessions, CI, daemons. */
  readonly otherCpuSeconds?: number;
}

export interface TimedResult extends Timing {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; throws with its output when it fails. */
export function timed(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): TimedResult {
  const cpuBefore = childrenCpuSeconds();
  const busyBefore = machineBusySeconds();
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  const busyAfter = machineBusySeconds();
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  const otherCpuSeconds =
    cpuSeconds === undefined || busyBefore === undefined || busyAfter === undefined ? undefined : Math.max(0, busyAfter - busyBefore - cpuSeconds);
  return { seconds, cpuSeconds, otherCpuSeconds, stdout: result.stdout, stderr: result.stderr };
}

/** CPU seconds per second (cores' worth) that other processes use now, sampled over `seconds`. */
export function otherLoadNow(seconds: number): number | undefined {
  const before = machineBusySeconds();
  const selfBefore = process.cpuUsage();
  const start = Date.now();
  // A blocking wait that uses no CPU.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  const after = machineBusySeconds();
  if (before === undefined || after === undefined) return undefined;
  const self = process.cpuUsage(selfBefore);
  return Math.max(0, after - before - (self.user + self.system) / 1e6) / ((Date.now() - start) / 1000);
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) throw new Error('median of no values');
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
};

/** `12 s (11 to 14 s)`: the median, then the extremes. */
export const spread = (values: readonly number[], digits = 0, unit = 's'): string =>
  `${median(values).toFixed(digits)} ${unit} (${Math.min(...values).toFixed(digits)} to ${Math.max(...values).toFixed(digits)} ${unit})`;

/** The median of the defined values, formatted, or `n/a`. */
export const medianOf = (values: readonly (number | undefined)[], digits = 0, unit = 's'): string => {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length ? `${median(known).toFixed(digits)} ${unit}` : 'n/a';
};
