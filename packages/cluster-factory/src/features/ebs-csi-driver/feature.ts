import type { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { PodIdentityRole } from '../../constructs/pod-identity-role.js';
import { pinnedAddons, type EksAddonPlan } from '../../lifecycle/eks-addons.js';
import { extraStatementsOf } from '../../iam/controller-identities.js';
import type { EksAddonSettings } from '../../config/escape-hatches.js';
import type { SpireConfig } from '../spire/enabled.js';
import { defineFeature } from '../feature.js';
import { needsEbsCsiDriver } from './enabled.js';
import { EBS_CSI_DRIVER_IDENTITY } from './identity.js';

/** The fields of a config the feature reads. */
interface EbsCsiDriverConfig extends SpireConfig {
  readonly kubernetes_version: string;
  readonly eks_addons: Pick<EksAddonSettings, 'aws_ebs_csi_driver'>;
}

/** The add-on, pinned for the cluster's Kubernetes version, with the config's configuration_values. */
export interface EbsCsiDriverPlan {
  readonly addon: EksAddonPlan;
}

/** What its compute step created. */
export interface EbsCsiDriverInfrastructure {
  readonly identity: PodIdentityRole;
  readonly addon: EksAddon;
}

/** The controller's service account, which the add-on binds to its role. */
const SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'ebs-csi-controller-sa' } as const;

/**
 * The EBS CSI driver, for SPIRE's server volume: the aws-ebs-csi-driver EKS add-on with its Pod
 * Identity role, in the compute stack with the node add-ons (its controller is a Deployment: it
 * needs nodes).
 */
export const feature = defineFeature({
  name: 'ebs-csi-driver',
  enabledIn: needsEbsCsiDriver,
  plan: (config: EbsCsiDriverConfig): EbsCsiDriverPlan | undefined => {
    if (!needsEbsCsiDriver(config)) return undefined;
    const values = config.eks_addons.aws_ebs_csi_driver?.configuration_values;
    return { addon: pinnedAddons(['aws-ebs-csi-driver'], config.kubernetes_version, values ? { 'aws-ebs-csi-driver': values } : {})[0]! };
  },
  controllerRoles: [EBS_CSI_DRIVER_IDENTITY],
  stack: 'compute',
  // Its resources kept their addresses when it became a module.
  constructScope: 'stack',
  // After CoreDNS, as before it became a module.
  computeAt: 'nodeAddons',
  compute: (plan, { scope, core, clusterName, nodeAddon }): EbsCsiDriverInfrastructure => {
    const identity = new PodIdentityRole(scope, 'ebs-csi-identity', {
      clusterName,
      region: core.settings.region,
      roleName: `${clusterName}-ebs-csi`,
      serviceAccount: SERVICE_ACCOUNT,
      managedPolicies: ['service-role/AmazonEBSCSIDriverPolicy'],
      // The add-on binds the role itself.
      associate: false,
      extraStatements: extraStatementsOf(core.extraStatements, EBS_CSI_DRIVER_IDENTITY),
    });
    const addon = nodeAddon(plan.addon, { podIdentityAssociation: [{ roleArn: identity.role.arn, serviceAccount: SERVICE_ACCOUNT.name }] });
    return { identity, addon };
  },
});
