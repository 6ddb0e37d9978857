import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Testing } from 'cdktf';
import { ConfigError, parseConfig, parseEnvironmentConfig } from '../src/config/load.js';
import { multiRegionSchema, type MultiRegionConfig } from '../src/config/multi-region-schema.js';
import type { EnvironmentConfig } from '../src/config/schema.js';
import { EnvironmentPlatform } from '../src/platform.js';
import { planPlatform } from '../src/plan/platform-plan.js';
import type { CiliumValuesInput } from '../src/features/cilium/values.js';
import type { KarpenterPool } from '../src/karpenter/node-pools.js';

/** A copy of environments/sandbox.yaml: tests do not depend on the production configs. */
export const SANDBOX_YAML = readFileSync(fileURLToPath(new URL('./fixtures/sandbox.yaml', import.meta.url)), 'utf8');

/** The sandbox config with overrides, validated like a real file. */
export function sandboxConfig(overrides: Partial<Record<keyof EnvironmentConfig, unknown>> = {}): EnvironmentConfig {
  const base = parseEnvironmentConfig(SANDBOX_YAML, 'environments/sandbox.yaml');
  return parseEnvironmentConfig(JSON.stringify({ ...base, ...overrides }), 'test-variant.yaml');
}

/** The problems of a sandbox variant (sandboxConfig), without their file:line:column; none when it loads. */
export function sandboxProblems(overrides: Partial<Record<keyof EnvironmentConfig, unknown>>): string[] {
  try {
    sandboxConfig(overrides);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => problem.replace(/^test-variant\.yaml:\d+:\d+: /, ''));
  }
  return [];
}

/** A copy of environments/multi-region.yaml. */
export const MULTI_REGION_YAML = readFileSync(fileURLToPath(new URL('./fixtures/multi-region.yaml', import.meta.url)), 'utf8');

/** The multi-region config with overrides, validated like a real file. */
export function multiRegionConfig(overrides: Partial<Record<keyof MultiRegionConfig, unknown>> = {}): MultiRegionConfig {
  const base = parseConfig(MULTI_REGION_YAML, 'environments/multi-region.yaml', multiRegionSchema);
  return parseConfig(JSON.stringify({ ...base, ...overrides }), 'mr.yaml', multiRegionSchema);
}

/** Every stack of an environment, synthesized (Testing.synth strings). */
export function synthPlatform(config: EnvironmentConfig) {
  const app = Testing.app();
  const platform = new EnvironmentPlatform(app, planPlatform(config));
  return {
    platform,
    network: Testing.synth(platform.network),
    cluster: Testing.synth(platform.cluster),
    compute: Testing.synth(platform.compute),
  };
}

/** Cilium values input of an ENI-mode cluster with Hubble and the L7 proxy, every other feature off. */
export const CILIUM_VALUES_INPUT: CiliumValuesInput = {
  clusterName: 'sandbox',
  mode: 'eni',
  apiServerHost: 'ABC.gr7.us-west-2.eks.amazonaws.com',
  kubeProxyReplacement: true,
  vpcCidr: '10.10.0.0/16',
  podCidr: '10.32.0.0/13',
  prefixDelegation: false,
  hubble: true,
  hubbleRelay: true,
  hubbleUi: true,
  l7Proxy: true,
  gatewayApi: false,
  bgpControlPlane: false,
  wireguard: false,
  mutualAuth: false,
  spireStorageClass: 'gp3-encrypted',
};

/** The sandbox's general Karpenter pool (categories c, m, r; spot; 32 vCPUs), as the plan hands it over. */
export const GENERAL_POOL: KarpenterPool = {
  name: 'general',
  capacityTypes: ['spot'],
  instanceCategories: ['c', 'm', 'r'],
  instanceFamilies: [],
  cpuLimit: 32,
  memoryLimitGib: 128,
  consolidationPolicy: 'WhenEmptyOrUnderutilized',
  consolidateAfter: '30s',
};
