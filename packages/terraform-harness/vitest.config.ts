import { projectTestConfig } from '../../vitest.shared.js';

export default projectTestConfig('terraform-harness', { setupFiles: [] });
