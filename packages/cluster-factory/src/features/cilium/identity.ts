import type { ControllerIdentitySpec } from '../../iam/controller-identities.js';

/** The Cilium operator's Pod Identity role (iam.extra_statements.cilium_operator): ENI mode only, where it manages ENIs. */
export const CILIUM_OPERATOR_IDENTITY: ControllerIdentitySpec = {
  key: 'cilium_operator',
  role: 'the Cilium operator',
  when: 'Cilium in ENI mode (enable_cilium: true, enable_fargate: false, cilium_mode: eni)',
};
