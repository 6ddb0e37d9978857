import type { ControllerIdentitySpec } from '../../iam/controller-identities.js';

/** The Karpenter controller's Pod Identity role (iam.extra_statements.karpenter). */
export const KARPENTER_IDENTITY: ControllerIdentitySpec = { key: 'karpenter', role: 'the Karpenter controller', when: 'karpenter.enabled: true' };
