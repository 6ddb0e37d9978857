import { describe, expect, test } from 'vitest';
import { machineBusySeconds, median, medianOf, spread, timed } from '../lib/measure.js';

describe('benchmark measurements', () => {
  test('machine busy time is user, nice, system, irq, softirq and steal of the cpu line, in seconds', () => {
    const stat = 'cpu  100 20 30 5000 70 1 2 3 0 0\ncpu0 50 10 15 2500 35 1 1 2 0 0\n';
    expect(machineBusySeconds(stat)).toBeCloseTo((100 + 20 + 30 + 1 + 2 + 3) / 100);
    expect(machineBusySeconds('intr 1 2 3\n')).toBeUndefined();
  });

  test('a timed command reports its wall and CPU time (what others used meanwhile depends on the machine)', () => {
    // Busy until it has used 0.4 s of CPU itself: on a shared machine, 0.4 s of wall time may get far less.
    const spin = 'const start = process.cpuUsage(); const used = () => { const u = process.cpuUsage(start); return u.user + u.system; }; while (used() < 400000);';
    const busy = timed(process.execPath, ['-e', spin], process.cwd());
    expect(busy.seconds).toBeGreaterThanOrEqual(0.4);
    expect(busy.cpuSeconds).toBeGreaterThanOrEqual(0.4);
    expect(busy.otherCpuSeconds).toBeGreaterThanOrEqual(0);
  });

  test('a failing command throws with its exit code and output', () => {
    expect(() => timed(process.execPath, ['-e', 'console.error("broken"); process.exit(3)'], process.cwd())).toThrow(/failed \(exit 3\):\n\nbroken/);
  });

  test('median, spread and medianOf', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(spread([10.2, 9.6, 14.1])).toBe('10 s (10 to 14 s)');
    expect(spread([0.88, 0.9, 0.86], 2)).toBe('0.88 s (0.86 to 0.90 s)');
    expect(medianOf([undefined, 4, 6, 5])).toBe('5 s');
    expect(medianOf([undefined])).toBe('n/a');
    expect(() => median([])).toThrow('median of no values');
  });
});
