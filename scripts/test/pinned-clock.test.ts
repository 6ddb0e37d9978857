import { describe, expect, test } from 'vitest';
import type { ViteUserConfig } from 'vitest/config';
import { TEST_TODAY } from '@cilium-eks/cluster-factory/testing';
import { TODAY_OVERRIDE_VARIABLE } from '@cilium-eks/cluster-factory';
import { projectTestConfig, TEST_TODAY as SHARED_TEST_TODAY } from '../../vitest.shared.js';

/** The test config a project gets from the shared config, in one mode. */
const configIn = (mode: 'test' | 'e2e', options: { setupFiles?: string[] } = {}) =>
  (projectTestConfig('some-project', options) as unknown as (env: { mode: string; command: 'serve' }) => ViteUserConfig)({ mode, command: 'serve' });

describe('tests pin the clock', () => {
  test('the shared vitest config and the testing module pin the same day', () => {
    expect(SHARED_TEST_TODAY).toBe(TEST_TODAY);
    expect(process.env[TODAY_OVERRIDE_VARIABLE]).toBe(TEST_TODAY);
  });

  test.each(['test', 'e2e'] as const)('%s: a project without the testing setup file judges support on the pinned day too', (mode) => {
    expect(configIn(mode, { setupFiles: [] }).test?.env).toMatchObject({ [TODAY_OVERRIDE_VARIABLE]: TEST_TODAY });
  });
});
