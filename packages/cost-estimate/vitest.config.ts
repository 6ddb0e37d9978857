import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('cost-estimate', { setupFiles: [] });
