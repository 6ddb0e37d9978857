import type { Construct } from 'constructs';
import { Annotations, TerraformOutput, TerraformResource, dependable } from 'cdktf';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import type { ClusterAccess } from './cluster-access.js';
import { orderAddons, type ClusterInfo, type PlatformAddon } from '../addons/addon.js';

export interface PlatformAddonsStackProps {
  readonly settings: StackSettings;
  readonly cluster: ClusterAccess;
  readonly clusterInfo: ClusterInfo;
  readonly addons: readonly PlatformAddon[];
}

/**
 * Add-ons that serve webhooks from pods in Cilium overlay mode: the EKS control plane cannot
 * reach the cluster-pool range (it is not routed in the VPC), so every API request those
 * webhooks intercept fails (or, with failurePolicy Ignore, silently skips them).
 */
export function unreachableWebhookWarnings(addons: readonly PlatformAddon[], cluster: ClusterInfo): string[] {
  const { networking } = cluster;
  if (networking.cni !== 'cilium' || networking.ciliumMode !== 'overlay') return [];
  return addons.flatMap((addon) => {
    const webhooks = addon.servedWebhooks?.(cluster);
    if (!webhooks || webhooks.hostNetwork) return [];
    return [
      `add-on "${addon.name}" serves ${webhooks.names.join(', ')} from pods: in cilium_mode overlay the EKS control plane cannot reach pod addresses (cilium.pod_cidr is not routed in the VPC), so the API server's calls to them fail; run it with hostNetwork: true, or use cilium_mode eni (docs/CILIUM_ENABLEMENT.md#webhooks-in-overlay-mode)`,
    ];
  });
}

/**
 * Kubernetes add-ons that need running nodes, deployed after `compute`, in dependency
 * order. Each add-on's resources depend on those of the add-ons it names.
 */
export class PlatformAddonsStack extends EnvironmentStack {
  readonly installed: ReadonlyMap<string, Construct[]>;

  constructor(scope: Construct, props: PlatformAddonsStackProps) {
    // Add-ons may own AWS resources too (DNS records for what they expose).
    super(scope, 'platform', props.settings, { kubernetes: props.cluster });
    const installed = new Map<string, Construct[]>();
    for (const warning of unreachableWebhookWarnings(props.addons, props.clusterInfo)) Annotations.of(this).addWarning(warning);
    for (const addon of orderAddons(props.addons)) {
      const constructs = addon.deploy(this, props.clusterInfo);
      const prerequisites = (addon.dependsOn ?? [])
        .flatMap((name) => installed.get(name) ?? [])
        .filter((construct): construct is TerraformResource => construct instanceof TerraformResource)
        .map((resource) => dependable(resource));
      for (const construct of constructs) {
        if (construct instanceof TerraformResource && prerequisites.length > 0) {
          construct.dependsOn = [...(construct.dependsOn ?? []), ...prerequisites];
        }
      }
      installed.set(addon.name, constructs);
    }
    this.installed = installed;
    new TerraformOutput(this, 'addons', { value: [...installed.keys()] });
  }
}
