import type { Construct } from 'constructs';
import { TerraformOutput, TerraformResource, dependable } from 'cdktf';
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
 * Kubernetes add-ons that need running nodes, deployed after `compute`, in dependency
 * order. Each add-on's resources depend on those of the add-ons it names.
 */
export class PlatformAddonsStack extends EnvironmentStack {
  readonly installed: ReadonlyMap<string, Construct[]>;

  constructor(scope: Construct, props: PlatformAddonsStackProps) {
    // Add-ons may own AWS resources too (DNS records for what they expose).
    super(scope, 'platform', props.settings, { kubernetes: props.cluster });
    const installed = new Map<string, Construct[]>();
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
