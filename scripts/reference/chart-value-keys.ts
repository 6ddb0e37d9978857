/**
 * Derives a chart's value key list (one dotted path a line, `[]` for list items) from its
 * values.yaml, for the key checks in reference/<chart>-<version>/values-keys.txt:
 *
 *   git --git-dir=<mirror> show <tag>:<chart>/values.yaml | \
 *     tsx scripts/reference/chart-value-keys.ts "<source>" > values-keys.txt
 *
 * Keys under an empty map (`{}`) or an empty list are free-form in the chart: the path of the
 * map itself is listed, and the check accepts anything below it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { chartValueKeys } from '@cilium-eks/cluster-factory';

const [source] = process.argv.slice(2);
if (!source) {
  process.stderr.write('usage: chart-value-keys.ts <source> < values.yaml\n');
  process.exit(2);
}
process.stdout.write(`# Value keys of ${source}; derived by scripts/reference/chart-value-keys.ts.\n${chartValueKeys(parse(readFileSync(0, 'utf8'))).join('\n')}\n`);
