import type { SynthesizedStack } from '@cilium-eks/terraform-harness';
import { STATE_BOOTSTRAP_KIND } from '@cilium-eks/cluster-factory';

/** A state bootstrap stack whose state is still local (`state.bootstrap: local`): only run by hand. */
export function isLocalStateBootstrap(stack: Pick<SynthesizedStack, 'name' | 'json'>): boolean {
  return stack.name.endsWith(`-${STATE_BOOTSTRAP_KIND}`) && 'local' in (stack.json.terraform?.backend ?? {});
}

/**
 * Deployment order for people and pipelines: the state bootstrap first (every other backend
 * lives in its bucket, though no stack names it as a dependency), then every stack after
 * its dependencies (the harness's order).
 */
export function inDeploymentOrder<T extends Pick<SynthesizedStack, 'name'>>(stacks: readonly T[]): T[] {
  const isState = (stack: T) => stack.name.endsWith(`-${STATE_BOOTSTRAP_KIND}`);
  return [...stacks.filter(isState), ...stacks.filter((stack) => !isState(stack))];
}

/**
 * The stacks a pipeline deploys, in deployment order: every stack, except a state bootstrap
 * that still keeps local state (a CI runner would start from an empty file and plan to create
 * the bucket again). Once migrated it is deployed like any other stack.
 */
export function deployableStacks<T extends Pick<SynthesizedStack, 'name' | 'json'>>(stacks: readonly T[]): T[] {
  return inDeploymentOrder(stacks).filter((stack) => !isLocalStateBootstrap(stack));
}
