import { ciliumEnabledBy } from '../../networking/decision.js';

/** The fields of a config that turn SPIRE on: Cilium's `mutual_auth` switch (the Cilium chart installs SPIRE). */
export interface SpireConfig {
  readonly enable_cilium: boolean;
  readonly enable_fargate: boolean;
  readonly cilium: { readonly mutual_auth: boolean };
}

/** SPIRE, the identity provider of Cilium's mutual authentication: installed with Cilium when cilium.mutual_auth is on. */
export function spireEnabledBy(config: SpireConfig): boolean {
  return ciliumEnabledBy(config) && config.cilium.mutual_auth;
}
