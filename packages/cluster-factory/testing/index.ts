/**
 * cdktf's Testing matchers, adapted to vitest: the same assertions as `Testing.setupJest()`,
 * registered through vitest's jest-compatible `expect.extend`.
 *
 *   import '@cilium-eks/cluster-factory/testing';
 *   expect(Testing.synth(stack)).toHaveResourceWithProperties(EksCluster, { version: '1.34' });
 *
 * Running apps (as a process or in this one) is in '@cilium-eks/cluster-factory/testing/app-process',
 * kept apart so that this setup file stays light.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { TODAY_OVERRIDE_VARIABLE } from '../src/lifecycle/eks-calendar.js';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  getToHaveDataSourceWithProperties,
  getToHaveProviderWithProperties,
  getToHaveResourceWithProperties,
  returnMatcherToJest,
  toBeValidTerraform,
  type TerraformConstructor,
} from 'cdktf/lib/testing/matchers';

type Properties = Record<string, unknown>;

/**
 * The day every test judges Kubernetes support on (tests pin the clock): set for this process
 * and every process it starts, so that synth messages and refusals never depend on the day
 * the suite runs. The shared vitest config (vitest.shared.ts) sets the same day for the test
 * processes of every project, also those that do not load this file; a test keeps the two equal.
 * Tests of other days pass their own `today`.
 */
export const TEST_TODAY = '2026-12-05';
process.env[TODAY_OVERRIDE_VARIABLE] = TEST_TODAY;

/**
 * Tests are hermetic: cdktf reads these from process.env whenever it synthesizes, and the apps
 * read theirs, but no test target hashes them, so a developer's shell must not change what a
 * test sees (CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS would turn every refused synth into a
 * success). A test that needs one passes it explicitly.
 */
export const SYNTH_VARIABLES_KEPT_FROM_TESTS = [
  'CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS',
  'SYNTH_HCL_OUTPUT',
  'CDKTF_CONTEXT_JSON',
  'CDKTF_OUTDIR',
  'CDKTF_TARGET_STACK_ID',
  'CLUSTER_FACTORY_CONFIG',
  'CLUSTER_FACTORY_OUTDIR',
] as const;
for (const name of SYNTH_VARIABLES_KEPT_FROM_TESTS) delete process.env[name];

expect.extend({
  toHaveResource: (received: string, type: TerraformConstructor) => returnMatcherToJest(getToHaveResourceWithProperties()(received, type, {})),
  toHaveResourceWithProperties: (received: string, type: TerraformConstructor, properties: Properties) =>
    returnMatcherToJest(getToHaveResourceWithProperties()(received, type, properties)),
  toHaveDataSource: (received: string, type: TerraformConstructor) => returnMatcherToJest(getToHaveDataSourceWithProperties()(received, type, {})),
  toHaveDataSourceWithProperties: (received: string, type: TerraformConstructor, properties: Properties) =>
    returnMatcherToJest(getToHaveDataSourceWithProperties()(received, type, properties)),
  toHaveProvider: (received: string, type: TerraformConstructor) => returnMatcherToJest(getToHaveProviderWithProperties()(received, type, {})),
  toHaveProviderWithProperties: (received: string, type: TerraformConstructor, properties: Properties) =>
    returnMatcherToJest(getToHaveProviderWithProperties()(received, type, properties)),
  toBeValidTerraform: (received: string) => returnMatcherToJest(toBeValidTerraform(received)),
});

interface CdktfMatchers<R = unknown> {
  toHaveResource(type: TerraformConstructor): R;
  toHaveResourceWithProperties(type: TerraformConstructor, properties: Properties): R;
  toHaveDataSource(type: TerraformConstructor): R;
  toHaveDataSourceWithProperties(type: TerraformConstructor, properties: Properties): R;
  toHaveProvider(type: TerraformConstructor): R;
  toHaveProviderWithProperties(type: TerraformConstructor, properties: Properties): R;
  toBeValidTerraform(): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Assertion<T = any> extends CdktfMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends CdktfMatchers {}
}

/** Resources of one type in a synthesized stack (Testing.synth output), by logical id. */
export function resourcesOf(synthesized: string, type: TerraformConstructor): Record<string, Record<string, unknown>> {
  const parsed = JSON.parse(synthesized) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return parsed.resource?.[type.tfResourceType] ?? {};
}

/** Every file below `dir` (relative path -> content), sorted: to compare outputs byte for byte. */
export function directorySnapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((path) => statSync(join(dir, path)).isFile())
      .sort()
      .map((path) => [path, readFileSync(join(dir, path), 'utf8')]),
  );
}
