import { ciliumEnabledBy } from '../networking/decision.js';
import { needsEbsCsiDriver } from '../lifecycle/components-in-use.js';
import type { ExtraStatement } from './policy-statements.js';

/**
 * The Pod Identity roles the platform makes for its controllers, by their config key
 * (`iam.extra_statements.<key>`), and when a config has each.
 */
export const CONTROLLER_IDENTITIES = {
  aws_load_balancer_controller: { role: 'the AWS Load Balancer Controller', when: 'every cluster', present: () => true },
  cilium_operator: {
    role: 'the Cilium operator',
    when: 'Cilium in ENI mode (enable_cilium: true, enable_fargate: false, cilium_mode: eni)',
    present: (config: IdentityConfig) => ciliumEnabledBy(config) && config.cilium_mode === 'eni',
  },
  ebs_csi_driver: {
    role: 'the EBS CSI driver',
    when: 'Cilium with cilium.mutual_auth: true (SPIRE\'s volume)',
    present: (config: IdentityConfig) => needsEbsCsiDriver(config),
  },
  karpenter: { role: 'the Karpenter controller', when: 'karpenter.enabled: true', present: (config: IdentityConfig) => config.karpenter.enabled },
  vpc_cni: { role: 'the AWS VPC CNI (aws-node)', when: 'the VPC CNI, i.e. without Cilium', present: (config: IdentityConfig) => !ciliumEnabledBy(config) },
} as const;

export type ControllerIdentity = keyof typeof CONTROLLER_IDENTITIES;
/** The fields of a config that decide which roles exist (structural: the schema imports this file). */
interface IdentityConfig {
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly cilium_mode: 'eni' | 'overlay';
  readonly cilium: { readonly mutual_auth: boolean };
  readonly karpenter: { readonly enabled: boolean };
}

export const CONTROLLER_IDENTITY_NAMES = Object.keys(CONTROLLER_IDENTITIES) as ControllerIdentity[];

/** Extra statements per controller identity (empty lists left out). */
export type ExtraStatements = Partial<Record<ControllerIdentity, readonly ExtraStatement[]>>;

/** What a PodIdentityRole receives: the statements and the config field they come from (for messages). */
export interface ExtraStatementsOf {
  readonly identity: ControllerIdentity;
  readonly statements: readonly ExtraStatement[];
}

/** The extra statements of one identity, when there are any. */
export function extraStatementsOf(extra: ExtraStatements | undefined, identity: ControllerIdentity): ExtraStatementsOf | undefined {
  const statements = extra?.[identity];
  return statements && statements.length > 0 ? { identity, statements } : undefined;
}
