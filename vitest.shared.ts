import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The vitest config every project uses. Besides the console report, each project writes a
 * JSON report that scripts/test-summary.ts adds up into one "N passed, N failed" line.
 */
export function projectTestConfig(projectName: string, options: { setupFiles?: string[] } = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: options.setupFiles ?? ['@cilium-eks/cluster-factory/testing'],
      testTimeout: 120_000,
      reporters: ['default', 'json'],
      outputFile: { json: resolve(import.meta.dirname, 'node_modules/.cache/test-results', `${projectName}.json`) },
    },
  });
}
