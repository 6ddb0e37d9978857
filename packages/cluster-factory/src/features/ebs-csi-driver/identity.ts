import type { ControllerIdentitySpec } from '../../iam/controller-identities.js';

/** The EBS CSI controller's Pod Identity role (iam.extra_statements.ebs_csi_driver). */
export const EBS_CSI_DRIVER_IDENTITY: ControllerIdentitySpec = { key: 'ebs_csi_driver', role: 'the EBS CSI driver', when: "Cilium with cilium.mutual_auth: true (SPIRE's volume)" };
