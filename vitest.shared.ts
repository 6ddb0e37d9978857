import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Why the test does not run here; scripts/test-summary.ts prints it in the closing summary. */
    skipReason?: string;
  }
}

/**
 * Options of a suite or test that skip it when there is a reason to, carrying the reason into the
 * JSON report so that the closing summary names what was skipped and why:
 *   describe('real terraform plans', skippedWhen(mirror ? undefined : 'TF_PLUGIN_MIRROR is not set'), () => ...)
 */
export function skippedWhen(reason: string | undefined): { skip?: boolean; meta?: { skipReason: string } } {
  return reason === undefined ? {} : { skip: true, meta: { skipReason: reason } };
}

/** Tests that run real external tools (terraform, the cdktf and Nx CLIs): the `e2e` target, `vitest run --mode e2e`. */
const E2E_TESTS = 'test/**/*.e2e.test.ts';

/**
 * The day every test of every project judges Kubernetes support and prices on (tests pin the
 * clock): CLUSTER_FACTORY_TODAY for the test process and each process it starts. A test of
 * another day passes its own date. `@cilium-eks/cluster-factory/testing` exports it as TEST_TODAY.
 */
export const TEST_TODAY = '2026-12-05';

/**
 * The vitest config every project uses. `vitest run` runs test/**\/*.test.ts except the e2e
 * files; `vitest run --mode e2e` runs only those. Besides the console report, each run writes
 * a JSON report (`<project>.json`, `<project>-e2e.json`) that scripts/test-summary.ts adds up
 * into one "N passed, N failed" line.
 */
export function projectTestConfig(projectName: string, options: { setupFiles?: string[]; isolate?: boolean } = {}) {
  return defineConfig(({ mode }) => {
    const e2e = mode === 'e2e';
    return {
      test: {
        include: e2e ? [E2E_TESTS] : ['test/**/*.test.ts'],
        exclude: e2e ? [] : [E2E_TESTS],
        setupFiles: options.setupFiles ?? ['@cilium-eks/cluster-factory/testing'],
        // Real terraform and CLI runs share 2 cores with the other projects' tests in CI.
        testTimeout: e2e ? 300_000 : 120_000,
        // e2e tests mostly wait for the processes they start (terraform, the cdktf and Nx CLIs):
        // files run side by side (vitest's default is one worker per core but one, here 1).
        ...(e2e ? { maxWorkers: 3 } : {}),
        // terraform and the AWS provider (Go) collect garbage only past 2 GiB: each process
        // loads the provider's whole schema and exits; a fifth less CPU per terraform command.
        // Node.js 22.1+ keeps the compiled code of every module it loads (Nx, the cdktf CLI, tsx,
        // TypeScript) and checks it against the source: each CLI a test starts compiles less.
        env: {
          CLUSTER_FACTORY_TODAY: TEST_TODAY,
          NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || resolve(import.meta.dirname, 'node_modules/.cache/node-compile-cache'),
          ...(e2e ? { GOGC: 'off', GOMEMLIMIT: '2GiB' } : {}),
        },
        isolate: options.isolate ?? true,
        reporters: ['default', 'json'],
        outputFile: { json: resolve(import.meta.dirname, 'node_modules/.cache/test-results', `${projectName}${e2e ? '-e2e' : ''}.json`) },
      },
    };
  });
}
