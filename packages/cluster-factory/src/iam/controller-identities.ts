import { ciliumEnabledBy } from '../networking/decision.js';
import type { ExtraStatement } from './policy-statements.js';

/**
 * A Pod Identity role the platform makes for a controller, by its config key
 * (`iam.extra_statements.<key>`): what messages and the schema call it, and when a config has it.
 */
export interface ControllerIdentitySpec {
  /** The key under iam.extra_statements (`ebs_csi_driver`). */
  readonly key: string;
  /** The controller, as messages name it (`the EBS CSI driver`). */
  readonly role: string;
  /** When an environment has the role, as messages say it (`karpenter.enabled: true`). */
  readonly when: string;
}

/** A role of the core platform, with the config fields that decide whether it exists. */
export interface CoreControllerIdentity extends ControllerIdentitySpec {
  present(config: IdentityConfig): boolean;
}

/** The fields of a config that decide which core roles exist (structural: the schema imports this file). */
export interface IdentityConfig {
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly cilium_mode: 'eni' | 'overlay';
}

// The Cilium operator's role is its feature's (src/features/cilium/identity.ts).
export { CILIUM_OPERATOR_IDENTITY } from '../features/cilium/identity.js';

export const VPC_CNI_IDENTITY: CoreControllerIdentity = {
  key: 'vpc_cni',
  role: 'the AWS VPC CNI (aws-node)',
  when: 'the VPC CNI, i.e. without Cilium',
  present: (config) => !ciliumEnabledBy(config),
};

/**
 * The core platform's controller roles. The built-in features name theirs (BuiltInFeature.controllerRoles);
 * CONTROLLER_IDENTITIES (src/features/built-in.ts) lists them all.
 */
export const CORE_CONTROLLER_IDENTITIES: readonly CoreControllerIdentity[] = [VPC_CNI_IDENTITY];

/** A key under iam.extra_statements. */
export type ControllerIdentity = string;

/** Extra statements per controller identity (empty lists left out). */
export type ExtraStatements = Readonly<Partial<Record<ControllerIdentity, readonly ExtraStatement[]>>>;

/** What a PodIdentityRole receives: the statements and the role they are for (for messages). */
export interface ExtraStatementsOf {
  /** The config key they come from (iam.extra_statements.<identity>). */
  readonly identity: ControllerIdentity;
  /** The controller, as messages name it. */
  readonly role: string;
  readonly statements: readonly ExtraStatement[];
}

/** The extra statements of one identity, when there are any. */
export function extraStatementsOf(extra: ExtraStatements | undefined, identity: Pick<ControllerIdentitySpec, 'key' | 'role'>): ExtraStatementsOf | undefined {
  const statements = extra?.[identity.key];
  return statements && statements.length > 0 ? { identity: identity.key, role: identity.role, statements } : undefined;
}
