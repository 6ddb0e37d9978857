// Preloaded with --import: on exit, write this process's peak resident memory (bytes) to
// the file named by PEAK_RSS_FILE. Used by scripts/benchmark.ts.
import { writeFileSync } from 'node:fs';

const target = process.env.PEAK_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
