/**
 * Prints the stacks of a synthesized app in deployment order, one per line, leaving out the
 * state bootstrap stack (it runs once per account, by hand: docs/STATE_BOOTSTRAP.md).
 * Used by the deploy workflow: `cdktf deploy $(tsx scripts/deploy-order.ts apps/prod/cdktf.out)`.
 */
import { resolve } from 'node:path';
import { readSynthesizedStacks } from '@cilium-eks/terraform-harness';
import { STATE_BOOTSTRAP_KIND } from '@cilium-eks/cluster-factory';

const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: deploy-order <cdktf.out>\n');
  process.exit(2);
}
for (const stack of readSynthesizedStacks(resolve(outdir))) {
  if (!stack.name.endsWith(`-${STATE_BOOTSTRAP_KIND}`)) process.stdout.write(`${stack.name}\n`);
}
