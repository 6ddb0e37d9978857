/**
 * Derives a chart's value key list (one dotted path a line, `[]` for list items) from its
 * values.yaml, for the key checks in reference/<chart>-<version>/values-keys.txt:
 *
 *   git --git-dir=<mirror> show <tag>:<chart>/values.yaml | \
 *     tsx scripts/reference/chart-value-keys.ts "<source>" > values-keys.txt
 *
 * Keys under an empty map (`{}`) or an empty list are free-form in the chart: the path of the
 * map itself is listed, and the check accepts anything below it. With `--free-form`, it lists
 * only those paths (reference/<chart>-<version>/free-form-keys.txt, read by the helm_values check).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { chartFreeFormKeys, chartValueKeys } from '@cilium-eks/cluster-factory';

const args = process.argv.slice(2);
const freeForm = args.includes('--free-form');
const [source] = args.filter((arg) => arg !== '--free-form');
if (!source) {
  process.stderr.write('usage: chart-value-keys.ts [--free-form] <source> < values.yaml\n');
  process.exit(2);
}
const values: unknown = parse(readFileSync(0, 'utf8'));
const [what, keys] = freeForm ? ['Free-form value keys (an empty map or list in the chart)', chartFreeFormKeys(values)] : ['Value keys', chartValueKeys(values)];
process.stdout.write(`# ${what} of ${source}; derived by scripts/reference/chart-value-keys.ts${freeForm ? ' --free-form' : ''}.\n${keys.join('\n')}\n`);
