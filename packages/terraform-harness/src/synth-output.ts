import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a synthesized cdktf stack (cdk.tf.json) the harness reads. */
export interface StackJson {
  terraform?: {
    backend?: Record<string, { key?: string }>;
    required_providers?: Record<string, { source?: string; version?: string }>;
  };
  provider?: Record<string, unknown>;
  data?: Record<string, Record<string, { backend?: string; config?: { key?: string } }>>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  resource?: Record<string, Record<string, unknown>>;
}

export interface SynthesizedStack {
  readonly name: string;
  /** Absolute path of the stack's cdk.tf.json. */
  readonly file: string;
  readonly dependencies: readonly string[];
  readonly json: StackJson;
}

/** Stacks in deployment order: every stack after its dependencies, ties by name. */
export function deploymentOrder<T extends { name: string; dependencies: readonly string[] }>(stacks: readonly T[]): T[] {
  const byName = new Map(stacks.map((stack) => [stack.name, stack]));
  const done = new Set<string>();
  const ordered: T[] = [];
  const visit = (stack: T, path: string[]) => {
    if (done.has(stack.name)) return;
    if (path.includes(stack.name)) throw new Error(`stack dependency cycle: ${[...path, stack.name].join(' -> ')}`);
    for (const dependency of [...stack.dependencies].sort()) {
      const next = byName.get(dependency);
      if (next) visit(next, [...path, stack.name]);
    }
    done.add(stack.name);
    ordered.push(stack);
  };
  [...stacks].sort((a, b) => a.name.localeCompare(b.name)).forEach((stack) => visit(stack, []));
  return ordered;
}

/** Reads the stacks of a cdktf.out directory, in deployment order. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string; dependencies: string[] }>;
  };
  return deploymentOrder(
    Object.values(manifest.stacks).map((stack) => {
      const file = join(outdir, stack.synthesizedStackPath);
      return { name: stack.name, file, dependencies: stack.dependencies, json: JSON.parse(readFileSync(file, 'utf8')) as StackJson };
    }),
  );
}

/** Registry addresses of the providers a stack requires, e.g. `registry.terraform.io/hashicorp/aws`. */
export function requiredProviderAddresses(stack: StackJson): string[] {
  return Object.entries(stack.terraform?.required_providers ?? {})
    .map(([name, requirement]) => {
      const source = requirement.source ?? name;
      const parts = source.split('/');
      if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
      if (parts.length === 2) return `registry.terraform.io/${source}`;
      return source;
    })
    .sort();
}

/** `terraform_remote_state` reads: data source name -> state key it reads. */
export function remoteStateReads(stack: StackJson): Array<{ name: string; key: string }> {
  return Object.entries(stack.data?.terraform_remote_state ?? {}).map(([name, source]) => ({ name, key: source.config?.key ?? '' }));
}

export function backendKey(stack: StackJson): string | undefined {
  const backend = stack.terraform?.backend ?? {};
  const first = Object.values(backend)[0];
  return first?.key;
}
