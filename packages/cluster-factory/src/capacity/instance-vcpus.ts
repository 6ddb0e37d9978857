/**
 * vCPUs of an EC2 instance type, from its size name. Every type in INSTANCE_ENI_LIMITS
 * follows the published pattern (https://aws.amazon.com/ec2/instance-types/, checked
 * 2026-11-23): large = 2, xlarge = 4, Nxlarge = 4N; the burstable t3/t3a nano..medium have
 * 2; medium of other families (m7a.medium) has 1. Bare metal is not supported.
 */
export function instanceVcpus(instanceType: string): number {
  const [family = '', size = ''] = instanceType.split('.');
  if (['nano', 'micro', 'small', 'medium'].includes(size)) return family.startsWith('t') ? 2 : 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const multiple = /^(\d+)xlarge$/.exec(size);
  if (!multiple) throw new Error(`cannot tell the vCPUs of ${instanceType} from its size`);
  return 4 * Number(multiple[1]);
}
