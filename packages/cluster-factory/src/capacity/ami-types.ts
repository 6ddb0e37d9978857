import { instanceAccelerator, instanceArchitecture, type InstanceAccelerator, type InstanceArchitecture } from './instance-types.js';

/**
 * The EKS AL2023 AMI type of a managed node group, per CPU architecture and accelerator.
 * Values of the EKS API's `Nodegroup.amiType` as hashicorp/aws 5.100.0 validates them (the
 * list is in reference/aws-provider-5.100.0/eks-node-group-ami-types.txt); AL2023 has no
 * Neuron AMI for arm64, and no arm64 type has Neuron devices.
 */
export const AL2023_AMI_TYPES = {
  amd64: { none: 'AL2023_x86_64_STANDARD', nvidia: 'AL2023_x86_64_NVIDIA', neuron: 'AL2023_x86_64_NEURON' },
  arm64: { none: 'AL2023_ARM_64_STANDARD', nvidia: 'AL2023_ARM_64_NVIDIA' },
} as const;

type AmiTypeTable = typeof AL2023_AMI_TYPES;
export type Al2023AmiType = AmiTypeTable['amd64'][keyof AmiTypeTable['amd64']] | AmiTypeTable['arm64'][keyof AmiTypeTable['arm64']];

/** A Kubernetes taint, with the effect spelled as Kubernetes (and Karpenter) spell it. */
export interface KubernetesTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule';
}

/**
 * Taints that keep pods that do not ask for the devices off accelerated nodes. The key is the
 * device plugin's extended resource (`nvidia.com/gpu`; `aws.amazon.com/neuron`, Karpenter
 * v1.14 docs, concepts/scheduling.md "Accelerators/GPU Resources"), so a workload tolerates the taint of what it requests.
 */
export const ACCELERATOR_TAINTS: Readonly<Record<Exclude<InstanceAccelerator, 'none'>, KubernetesTaint>> = {
  nvidia: { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
  neuron: { key: 'aws.amazon.com/neuron', value: 'true', effect: 'NoSchedule' },
};

/** The EKS node group API spells taint effects NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE. */
export function eksTaintEffect(effect: KubernetesTaint['effect']): 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' {
  return ({ NoSchedule: 'NO_SCHEDULE', NoExecute: 'NO_EXECUTE', PreferNoSchedule: 'PREFER_NO_SCHEDULE' } as const)[effect];
}

const ACCELERATOR_NAMES: Readonly<Record<InstanceAccelerator, string>> = { none: 'no accelerator', nvidia: 'NVIDIA GPU', neuron: 'AWS Neuron' };

/** What every instance type of a node group shares: one architecture, one accelerator, so one AMI type. */
export interface NodeGroupHardware {
  readonly arch: InstanceArchitecture;
  readonly accelerator: InstanceAccelerator;
  readonly amiType: Al2023AmiType;
}

/**
 * The AMI type a managed node group of these (known) instance types needs, or why there is
 * none: a node group has one AMI type, so its types must share the architecture and the
 * accelerator. The reason names every type with what it has.
 */
export function nodeGroupHardware(instanceTypes: readonly string[]): NodeGroupHardware | { readonly problem: string } {
  const types = instanceTypes.map((type) => ({ type, arch: instanceArchitecture(type), accelerator: instanceAccelerator(type) }));
  const amiTypeOf = (arch: InstanceArchitecture, accelerator: InstanceAccelerator) => (AL2023_AMI_TYPES[arch] as Record<string, Al2023AmiType | undefined>)[accelerator];
  const distinct = <T>(values: T[]) => [...new Set(values)];
  const oneGroupEach = (what: string) =>
    `; a managed node group has one AMI type (${distinct(types.map((entry) => amiTypeOf(entry.arch, entry.accelerator) ?? 'none')).join(', ')}): use one node group per ${what}`;
  if (distinct(types.map((entry) => entry.arch)).length > 1) {
    return { problem: `mixes CPU architectures: ${types.map((entry) => `${entry.type} (${entry.arch})`).join(', ')}${oneGroupEach('architecture')}` };
  }
  if (distinct(types.map((entry) => entry.accelerator)).length > 1) {
    return { problem: `mixes accelerators: ${types.map((entry) => `${entry.type} (${ACCELERATOR_NAMES[entry.accelerator]})`).join(', ')}${oneGroupEach('accelerator')}` };
  }
  const { arch, accelerator } = types[0]!;
  const amiType = amiTypeOf(arch, accelerator);
  if (!amiType) return { problem: `${types.map((entry) => entry.type).join(', ')}: AL2023 has no ${arch} AMI with ${ACCELERATOR_NAMES[accelerator]} drivers` };
  return { arch, accelerator, amiType };
}
