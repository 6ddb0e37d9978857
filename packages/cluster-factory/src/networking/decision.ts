/**
 * The networking decision at the centre of the platform, carried over from the original
 * Terraform module:
 *
 *     cilium_enabled = enable_cilium && !enable_fargate
 *
 * Fargate pods run in micro-VMs where the platform cannot run DaemonSets or load eBPF
 * programs, so a cluster with Fargate profiles keeps the AWS VPC CNI for every pod.
 * This function is pure: the stacks, the docs matrix and the tests all ask it.
 */
import type { EnvironmentConfig } from '../config/schema.js';

export type CiliumMode = 'eni' | 'overlay';

export interface NetworkingRequest {
  readonly enableCilium: boolean;
  readonly enableFargate: boolean;
  readonly ciliumMode: CiliumMode;
  readonly enableKubeProxyReplacement: boolean;
  readonly enableHubble: boolean;
}

export type NetworkingDecision =
  | {
      readonly cni: 'cilium';
      readonly ciliumEnabled: true;
      readonly ciliumMode: CiliumMode;
      readonly kubeProxyReplacement: boolean;
      readonly hubble: boolean;
      readonly warnings: readonly string[];
    }
  | {
      readonly cni: 'aws-vpc-cni';
      readonly ciliumEnabled: false;
      readonly kubeProxyReplacement: false;
      readonly hubble: false;
      readonly warnings: readonly string[];
    };

export const FARGATE_DISABLES_CILIUM_WARNING =
  'enable_cilium is true but enable_fargate is also true: Cilium is disabled and the AWS VPC CNI is used for all pods, ' +
  'because Fargate cannot run DaemonSets or load eBPF programs. Set enable_fargate: false to run Cilium.';

/** The central rule of the original module: `cilium_enabled = enable_cilium && !enable_fargate`. */
export function ciliumEnabledBy(config: Pick<EnvironmentConfig, 'enable_cilium' | 'enable_fargate'>): boolean {
  return config.enable_cilium && !config.enable_fargate;
}

export function decideNetworking(request: NetworkingRequest): NetworkingDecision {
  if (ciliumEnabledBy({ enable_cilium: request.enableCilium, enable_fargate: request.enableFargate })) {
    return {
      cni: 'cilium',
      ciliumEnabled: true,
      ciliumMode: request.ciliumMode,
      kubeProxyReplacement: request.enableKubeProxyReplacement,
      hubble: request.enableHubble,
      warnings: [],
    };
  }
  return {
    cni: 'aws-vpc-cni',
    ciliumEnabled: false,
    kubeProxyReplacement: false,
    hubble: false,
    warnings: request.enableCilium && request.enableFargate ? [FARGATE_DISABLES_CILIUM_WARNING] : [],
  };
}

/** The networking decision of a config (the one mapping of its switches). */
export function networkingOf(config: Pick<EnvironmentConfig, 'enable_cilium' | 'enable_fargate' | 'cilium_mode' | 'enable_kube_proxy_replacement' | 'enable_hubble'>): NetworkingDecision {
  return decideNetworking({
    enableCilium: config.enable_cilium,
    enableFargate: config.enable_fargate,
    ciliumMode: config.cilium_mode,
    enableKubeProxyReplacement: config.enable_kube_proxy_replacement,
    enableHubble: config.enable_hubble,
  });
}
