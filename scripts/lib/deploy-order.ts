import type { SynthesizedStack } from '@cilium-eks/terraform-harness';
import { STATE_BOOTSTRAP_KIND } from '@cilium-eks/cluster-factory';

/** A state bootstrap stack whose state is still local (`state.bootstrap: local`): only run by hand. */
export function isLocalStateBootstrap(stack: Pick<SynthesizedStack, 'name' | 'json'>): boolean {
  return stack.name.endsWith(`-${STATE_BOOTSTRAP_KIND}`) && 'local' in (stack.json.terraform?.backend ?? {});
}

/**
 * The stacks a pipeline deploys, in deployment order: every stack, except a state bootstrap
 * that still keeps local state (a CI runner would start from an empty file and plan to create
 * the bucket again). Once migrated it is deployed like any other stack.
 */
export function deployableStacks<T extends Pick<SynthesizedStack, 'name' | 'json'>>(stacks: readonly T[]): T[] {
  return stacks.filter((stack) => !isLocalStateBootstrap(stack));
}
