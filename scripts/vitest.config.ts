import { projectTestConfig } from '../vitest.shared.js';

// Not isolated: the test files share one module cache, so the apps are loaded (and their
// outputs synthesized, scripts/lib/apps.ts) once per worker, not once per file. No test
// mocks modules or changes process state it does not restore.
export default projectTestConfig('scripts', { setupFiles: ['@cilium-eks/cluster-factory/testing'], isolate: false });
