import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Testing } from 'cdktf';
import { parseEnvironmentConfig } from '../src/config/load.js';
import type { EnvironmentConfig } from '../src/config/schema.js';
import { EnvironmentPlatform } from '../src/platform.js';

/** A copy of environments/sandbox.yaml: tests do not depend on the production configs. */
export const SANDBOX_YAML = readFileSync(fileURLToPath(new URL('./fixtures/sandbox.yaml', import.meta.url)), 'utf8');

/** The sandbox config with overrides, validated like a real file. */
export function sandboxConfig(overrides: Partial<Record<keyof EnvironmentConfig, unknown>> = {}): EnvironmentConfig {
  const base = parseEnvironmentConfig(SANDBOX_YAML, 'environments/sandbox.yaml');
  return parseEnvironmentConfig(JSON.stringify({ ...base, ...overrides }), 'test-variant.yaml');
}

/** Every stack of an environment, synthesized (Testing.synth strings). */
export function synthPlatform(config: EnvironmentConfig) {
  const app = Testing.app();
  const platform = new EnvironmentPlatform(app, config);
  return {
    platform,
    network: Testing.synth(platform.network),
    cluster: Testing.synth(platform.cluster),
    compute: Testing.synth(platform.compute),
  };
}
