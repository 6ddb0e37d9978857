/**
 * Prints the stacks of a synthesized app in deployment order, one per line.
 *   npx tsx scripts/deploy-order.ts apps/sandbox/cdktf.out               every stack
 *   npx tsx scripts/deploy-order.ts apps/sandbox/cdktf.out --deployable  without a state bootstrap that is still local
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSynthesizedStacks } from '@cilium-eks/terraform-harness';
import { deployableStacks, inDeploymentOrder } from './lib/deploy-order.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { deployable: { type: 'boolean', default: false } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: deploy-order <cdktf.out> [--deployable]\n');
  process.exit(2);
}
const stacks = readSynthesizedStacks(resolve(positionals[0]!));
for (const stack of values.deployable ? deployableStacks(stacks) : inDeploymentOrder(stacks)) process.stdout.write(`${stack.name}\n`);
