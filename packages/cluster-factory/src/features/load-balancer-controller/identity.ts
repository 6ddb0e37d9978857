import type { ControllerIdentitySpec } from '../../iam/controller-identities.js';

/** The AWS Load Balancer Controller's Pod Identity role (iam.extra_statements.aws_load_balancer_controller), made in the cluster stack. */
export const LOAD_BALANCER_CONTROLLER_IDENTITY: ControllerIdentitySpec = { key: 'aws_load_balancer_controller', role: 'the AWS Load Balancer Controller', when: 'every cluster' };
