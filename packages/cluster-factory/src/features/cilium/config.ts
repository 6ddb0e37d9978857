import { z } from 'zod';
import { cidr } from '../../config/cidr-field.js';

/** The `cilium` key of an environment file: Cilium's settings beyond the enable_* switches (src/networking/decision.ts). */
export const ciliumSettings = z
  .strictObject({
    pod_cidr: cidr(8, 20)
      .default('10.32.0.0/13')
      .describe('overlay mode only: the cluster-pool IPAM range for pods. Must not overlap the VPC or the service CIDR.'),
    prefix_delegation: z.boolean().default(false).describe('eni mode only: allocate /28 prefixes per ENI slot (more pods per node).'),
    hubble_relay: z.boolean().default(true).describe('Hubble Relay (cluster-wide flow API). Needs enable_hubble.'),
    hubble_ui: z.boolean().default(true).describe('Hubble UI. Needs hubble_relay.'),
    l7_proxy: z.boolean().default(true).describe('Envoy L7 proxy and DNS proxy: L7 HTTP and FQDN policies.'),
    gateway_api: z.boolean().default(false).describe('Cilium Gateway API controller. Needs enable_kube_proxy_replacement and l7_proxy.'),
    bgp_control_plane: z.boolean().default(false),
    wireguard: z.boolean().default(false).describe('Transparent WireGuard encryption between nodes (UDP 51871).'),
    mutual_auth: z.boolean().default(false).describe('Cilium mutual authentication with SPIRE (installs SPIRE with a gp3 volume).'),
  })
  .prefault({})
  .describe('Cilium settings beyond the enable_* switches. Ignored when Cilium is off.');

/** The validated `cilium` key. */
export type CiliumSettings = z.output<typeof ciliumSettings>;
