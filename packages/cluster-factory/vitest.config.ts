import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('cluster-factory', { setupFiles: ['./testing/index.ts'] });
