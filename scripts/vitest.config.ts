import { projectTestConfig } from '../vitest.shared.js';

export default projectTestConfig('scripts', { setupFiles: ['@cilium-eks/cluster-factory/testing'] });
