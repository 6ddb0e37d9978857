import { cidrsOverlap, parseIpv4Cidr } from '../../lib/cidr.js';
import { SERVICE_IPV4_CIDR } from '../../networking/platform-rules.js';
import type { FeatureRule } from '../feature.js';
import type { CiliumSettings } from './config.js';

/** The fields of a config Cilium's rules read. */
export interface CiliumRuleConfig {
  readonly cilium: CiliumSettings;
  readonly enable_hubble: boolean;
  readonly cilium_mode: 'eni' | 'overlay';
  readonly vpc_cidr: string;
}

/** The environment's first rule of its own (src/config/schema.ts): Cilium's come right before it, as when they were the environment's. */
const FIRST_CORE_RULE = 'availability_zones are zones of region';

/**
 * Cilium's cross-field rules, the first of an environment file (after the Gateway API's, which
 * run before them): a file with several errors gets its messages in the same order as before.
 */
export const CILIUM_RULES: readonly FeatureRule<CiliumRuleConfig>[] = [
  {
    checks: 'cilium.hubble_ui needs cilium.hubble_relay',
    before: FIRST_CORE_RULE,
    check: (env: CiliumRuleConfig, refuse) => {
      if (env.cilium.hubble_ui && !env.cilium.hubble_relay) refuse(['cilium', 'hubble_ui'], 'needs cilium.hubble_relay: true (the UI reads flows through Hubble Relay)');
    },
  },
  {
    checks: 'cilium.hubble_relay needs enable_hubble',
    before: FIRST_CORE_RULE,
    check: (env: CiliumRuleConfig, refuse) => {
      if (env.cilium.hubble_relay && !env.enable_hubble) refuse(['cilium', 'hubble_relay'], 'needs enable_hubble: true');
    },
  },
  {
    checks: 'cilium.prefix_delegation needs cilium_mode: eni',
    before: FIRST_CORE_RULE,
    check: (env: CiliumRuleConfig, refuse) => {
      if (env.cilium.prefix_delegation && env.cilium_mode !== 'eni') refuse(['cilium', 'prefix_delegation'], 'applies only to cilium_mode: eni');
    },
  },
  {
    checks: 'cilium.pod_cidr overlaps neither vpc_cidr nor the service CIDR',
    before: FIRST_CORE_RULE,
    check: (env: CiliumRuleConfig, refuse) => {
      if (env.cilium_mode !== 'overlay') return;
      const pods = env.cilium.pod_cidr;
      for (const [name, range] of [['vpc_cidr', env.vpc_cidr], ['the service CIDR', SERVICE_IPV4_CIDR]] as const) {
        if (parseIpv4Cidr(pods) && parseIpv4Cidr(range) && cidrsOverlap(pods, range)) refuse(['cilium', 'pod_cidr'], `${pods} overlaps ${name} ${range}`);
      }
    },
  },
];
