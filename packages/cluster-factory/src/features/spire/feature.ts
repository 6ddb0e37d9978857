import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { defineFeature } from '../feature.js';
import { SPIRE_STORAGE_CLASS } from './storage-class.js';
import { spireEnabledBy, type SpireConfig } from './enabled.js';

/** What the CNI stack creates for SPIRE: the StorageClass of its server's volume. */
export interface SpirePlan {
  readonly storageClass: string;
}

/**
 * SPIRE for Cilium mutual authentication (`cilium.mutual_auth`): the encrypted gp3 StorageClass
 * its server's volume uses, created in the CNI stack before Cilium installs SPIRE. The volume
 * needs the EBS CSI driver (the ebs-csi-driver feature).
 */
export const feature = defineFeature({
  name: 'spire',
  enabledIn: spireEnabledBy,
  plan: (config: SpireConfig): SpirePlan | undefined => (spireEnabledBy(config) ? { storageClass: SPIRE_STORAGE_CLASS } : undefined),
  stack: 'cni',
  // Its resource kept its address when it became a module.
  constructScope: 'stack',
  cni: (plan, { scope }) => [
    new StorageClassV1(scope, 'spire-storage', {
      metadata: { name: plan.storageClass },
      storageProvisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
      parameters: { type: 'gp3', encrypted: 'true' },
    }),
  ],
});
