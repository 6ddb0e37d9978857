import { projectTestConfig } from '../../vitest.shared.js';

// Test files share one module cache per worker (isolate: false): re-importing the provider
// bindings for each of the ~20 files was most of this project's test time (62 s -> 25 s).
// The tests keep no module state of their own; they also pass in shuffled order.
export default projectTestConfig('cluster-factory', { setupFiles: ['./testing/index.ts'], isolate: false });
