/** Where the networkd file that leaves Cilium's ENIs alone is written on the node. */
export const CILIUM_ENI_NETWORKD_FILE = '/etc/systemd/network/10-cilium-eni-unmanaged.network';

/**
 * Cilium ENI mode on AL2023: systemd-networkd must not manage the ENIs Cilium attaches.
 *
 * - Cilium 1.19 `Documentation/network/concepts/ipam/eni.rst`, "Node Configuration": any
 *   service that manages newly attached interfaces (systemd-networkd, NetworkManager)
 *   interferes with Cilium (DHCP, removing Cilium's addresses when the carrier drops); the
 *   devices must be unmanaged (`[Link] Unmanaged=yes`), disabling DHCP is not enough.
 * - amazon-eks-ami AL2023 (nodeadm's udev helper, nodeadm/cmd/nodeadm-internal/udev/): the
 *   interfaces present at boot get `70-eks-<if>.network` (DHCP, policy routing), the default
 *   `80-ec2.network` of amazon-ec2-net-utils is disabled, later interfaces are left to the
 *   CNI. What counts as "later" differs between AMI releases (after cloud-init, with a
 *   "TODO: handle race condition"; after nodeadm's second phase), and `ami_alias` may pin an
 *   old one. Users of Cilium on AL2023 hit this: awslabs/amazon-eks-ami#1678, cilium/cilium#24397.
 *
 * So this file makes networkd leave every EC2 interface (ena, vif, ixgbevf: the drivers the
 * AMI's udev rules act on) except the primary one unmanaged, whatever the naming scheme
 * (kops does the same: kubernetes/kops#18642). `10-` sorts before the AMI's `70-eks-*` and
 * ec2-net-utils' files, and networkd applies the first matching file. The primary interface
 * is found by the MAC IMDS reports for the instance. The script runs in cloud-final, before
 * `nodeadm-run.service` (After=cloud-final.service) starts the kubelet, so before Cilium can
 * attach any ENI. `ManageForeignRoutes=no` / `ManageForeignRoutingPolicyRules=no` (networkd
 * keeps Cilium's routes and rules) already ship in the AMI's `networkd.conf.d/80-release.conf`.
 */
export function ciliumEniNetworkdScript(): string {
  return [
    '#!/bin/bash',
    '# Cilium ENI mode: every ENI but the primary one belongs to Cilium (docs/KARPENTER.md, "Node user data").',
    'set -euo pipefail',
    'token=$(curl -sSf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" http://169.254.169.254/latest/api/token)',
    'primary_mac=$(curl -sSf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/mac)',
    'primary=""',
    'for device in /sys/class/net/*; do',
    '  if [ "$(cat "$device/address")" = "$primary_mac" ]; then primary=$(basename "$device"); fi',
    'done',
    'if [ -z "$primary" ]; then echo "no interface has the primary MAC $primary_mac" >&2; exit 1; fi',
    `cat > ${CILIUM_ENI_NETWORKD_FILE} <<EOF`,
    '[Match]',
    'Driver=ena vif ixgbevf',
    'Name=!$primary',
    '',
    '[Link]',
    'Unmanaged=yes',
    'EOF',
    'networkctl reload',
  ].join('\n');
}

export interface NodeUserDataOptions {
  /** kubelet maxPods in a nodeadm NodeConfig. Omit where something else sets it (Karpenter). */
  readonly maxPods?: number;
  /** Add the script that leaves Cilium's ENIs unmanaged (Cilium ENI mode). */
  readonly ciliumEni: boolean;
}

/**
 * AL2023 user data as a MIME multipart document, the one source for managed node groups
 * (launch template, base64) and Karpenter's EC2NodeClass (`spec.userData`, plain text):
 * nodeadm merges the NodeConfig part with what EKS or Karpenter generates; cloud-init runs
 * the shell script part. Undefined when there is nothing to add.
 */
export function nodeUserData(options: NodeUserDataOptions): string | undefined {
  const boundary = 'NODEADM';
  const parts: string[][] = [];
  if (options.maxPods !== undefined) {
    parts.push(['Content-Type: application/node.eks.aws', '', '---', 'apiVersion: node.eks.aws/v1alpha1', 'kind: NodeConfig', 'spec:', '  kubelet:', '    config:', `      maxPods: ${options.maxPods}`]);
  }
  if (options.ciliumEni) parts.push(['Content-Type: text/x-shellscript; charset="us-ascii"', '', ciliumEniNetworkdScript()]);
  if (parts.length === 0) return undefined;
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    ...parts.flatMap((part) => [`--${boundary}`, ...part, '']),
    `--${boundary}--`,
    '',
  ].join('\n');
}
