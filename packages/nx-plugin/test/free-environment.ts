import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cidrsOverlap } from '@cilium-eks/cluster-factory';

/**
 * Names and VPC CIDRs no environment of a workspace uses yet. The tests generate environments
 * into a copy of the workspace they run in, which may already hold environments this generator
 * made: the whole suite has to pass there too.
 */
export interface WorkspaceEnvironments {
  /** environments/*.yaml names, sorted. */
  readonly names: readonly string[];
  /** `base`, or `base-2`, `base-3` ... when taken by an environment or an app. */
  freeName(base: string): string;
  /** `count` distinct /16s of 10.0.0.0/8 that overlap no environment's VPC (of any account). */
  freeCidrs(count: number): string[];
  /** environment name -> protect_stateful_resources. */
  readonly protectedByName: ReadonlyMap<string, boolean>;
}

export function workspaceEnvironments(root: string): WorkspaceEnvironments {
  const files = readdirSync(join(root, 'environments')).filter((file) => file.endsWith('.yaml'));
  const configs = files.map((file) => ({ name: file.replace(/\.yaml$/, ''), config: parse(readFileSync(join(root, 'environments', file), 'utf8')) as Record<string, unknown> }));
  const used = configs.flatMap(({ config }) => [config.vpc_cidr, ...((config.regions as Array<{ vpc_cidr: string }> | undefined) ?? []).map((entry) => entry.vpc_cidr)]).filter((cidr): cidr is string => typeof cidr === 'string');
  const names = configs.map(({ name }) => name).sort();
  const taken = (name: string) => names.includes(name) || existsSync(join(root, 'apps', name));
  return {
    names,
    freeName: (base) => {
      for (let suffix = 1; ; suffix += 1) {
        const name = suffix === 1 ? base : `${base}-${suffix}`;
        if (!taken(name)) return name;
      }
    },
    freeCidrs: (count) => {
      const free: string[] = [];
      for (let octet = 11; free.length < count && octet < 256; octet += 1) {
        const cidr = `10.${octet}.0.0/16`;
        if (!used.some((range) => cidrsOverlap(cidr, range))) free.push(cidr);
      }
      return free;
    },
    protectedByName: new Map(configs.map(({ name, config }) => [name, config.protect_stateful_resources === true])),
  };
}

/** The deploy matrix with `name` where the generator puts it: before the first protected environment, or last. */
export function expectedMatrix(matrix: readonly string[], name: string, isProtected: boolean, protectedByName: ReadonlyMap<string, boolean>): string[] {
  const first = matrix.findIndex((app) => protectedByName.get(app));
  const apps = [...matrix];
  apps.splice(isProtected || first < 0 ? apps.length : first, 0, name);
  return apps;
}
