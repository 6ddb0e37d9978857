import { INSTANCE_DATA } from './instance-data.js';

export { INSTANCE_DATA, INSTANCE_DATA_SOURCES } from './instance-data.js';

/**
 * What the project knows about one EC2 instance type (INSTANCE_DATA, derived from upstream
 * data by scripts/reference/instance-table.ts; sources in INSTANCE_DATA_SOURCES).
 */
export interface InstanceTypeData {
  /** ENIs the type takes (defaultMaxENIs). */
  readonly maxEnis: number;
  /** IPv4 addresses per ENI, the primary one included. */
  readonly ipv4PerEni: number;
  readonly vcpus: number;
  readonly memoryMib: number;
  /** The `kubernetes.io/arch` of its nodes. */
  readonly arch: 'amd64' | 'arm64';
  /** GPUs, e.g. `{ count: 1, manufacturer: 'nvidia', name: 'a10g' }`. */
  readonly gpus?: InstanceAccelerators;
  /** AWS Neuron devices (Inferentia, Trainium). */
  readonly accelerators?: InstanceAccelerators;
}

export interface InstanceAccelerators {
  readonly count: number;
  readonly manufacturer: string;
  readonly name: string;
}

/** The CPU architectures of the table, as Kubernetes names them (`kubernetes.io/arch`). */
export const INSTANCE_ARCHITECTURES = ['amd64', 'arm64'] as const;
export type InstanceArchitecture = (typeof INSTANCE_ARCHITECTURES)[number];

/** What a node's AMI must bring for the type's devices: nothing, the NVIDIA driver, or the Neuron driver. */
export type InstanceAccelerator = 'none' | 'nvidia' | 'neuron';

/** Where users read which types are known and how to add one. */
export const INSTANCE_TABLE_DOC = 'docs/INSTANCE_TYPES.md';

/** True when the project knows the instance type. */
export function isKnownInstanceType(instanceType: string): boolean {
  return Object.hasOwn(INSTANCE_DATA, instanceType);
}

/** The table's entry for a type; throws for a type the table lacks (configs refuse those first). */
export function instanceTypeData(instanceType: string): InstanceTypeData {
  const found = INSTANCE_DATA[instanceType];
  if (!found || !Object.hasOwn(INSTANCE_DATA, instanceType)) throw new Error(`unknown instance type ${instanceType} (${INSTANCE_TABLE_DOC})`);
  return found;
}

/** Every instance type of the table, grouped by family in the table's order. */
export const KNOWN_INSTANCE_TYPES: readonly string[] = Object.keys(INSTANCE_DATA);

/** ENI limits per type, `[maxEnis, ipv4PerEni]`. */
export const INSTANCE_ENI_LIMITS: Readonly<Record<string, readonly [maxEnis: number, ipv4PerEni: number]>> = Object.fromEntries(
  KNOWN_INSTANCE_TYPES.map((type) => [type, [INSTANCE_DATA[type]!.maxEnis, INSTANCE_DATA[type]!.ipv4PerEni] as const]),
);

/** vCPUs of a type of the table. */
export function instanceVcpus(instanceType: string): number {
  return instanceTypeData(instanceType).vcpus;
}

export function instanceArchitecture(instanceType: string): InstanceArchitecture {
  return instanceTypeData(instanceType).arch;
}

/** The devices the node's AMI needs a driver for: NVIDIA GPUs or AWS Neuron accelerators. */
export function instanceAccelerator(instanceType: string): InstanceAccelerator {
  const data = instanceTypeData(instanceType);
  if (data.gpus) {
    if (data.gpus.manufacturer !== 'nvidia') throw new Error(`${instanceType}: ${data.gpus.manufacturer} GPUs have no AL2023 AMI type`);
    return 'nvidia';
  }
  return data.accelerators ? 'neuron' : 'none';
}

/** The family of a type: `m7g.large` -> `m7g`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.split('.')[0]!;
}

/**
 * A family's category and generation as Karpenter labels them (`karpenter.k8s.aws/instance-category`,
 * `-generation`): the letters before the first digit and that number (`m7g`: m, 7; `trn1`: trn, 1;
 * `p6-b200`: p, 6).
 */
export function familyCategoryAndGeneration(family: string): { category: string; generation: number } {
  const match = /^([a-z]+)(\d+)/.exec(family);
  return { category: match?.[1] ?? family, generation: Number(match?.[2] ?? 0) };
}

/** Every family of the table, in the table's order. */
export const SUPPORTED_INSTANCE_FAMILIES: readonly string[] = [...new Set(KNOWN_INSTANCE_TYPES.map(instanceFamily))];

/** Where a refused type or family points users: the table's docs and its families. */
export const INSTANCE_TABLE = `${INSTANCE_TABLE_DOC}; families: ${SUPPORTED_INSTANCE_FAMILIES.join(', ')}`;

/** A family's architecture and accelerator (every type of a family shares them). */
export function familyTraits(family: string): { arch: InstanceArchitecture; accelerator: InstanceAccelerator } | undefined {
  const type = KNOWN_INSTANCE_TYPES.find((candidate) => instanceFamily(candidate) === family);
  return type === undefined ? undefined : { arch: instanceArchitecture(type), accelerator: instanceAccelerator(type) };
}

/** The table's families in the given categories (Karpenter's instance-category) and architectures. */
export function familiesInCategories(categories: readonly string[], architectures: readonly InstanceArchitecture[]): string[] {
  return SUPPORTED_INSTANCE_FAMILIES.filter((family) => categories.includes(familyCategoryAndGeneration(family).category) && architectures.includes(familyTraits(family)!.arch));
}

/** Karpenter NodePool requirements as the project emits them (`nodePoolValues`). */
export interface InstanceRequirement {
  readonly key: string;
  /** Kubernetes node selector operators, as in a NodePool. */
  readonly operator: 'In' | 'NotIn' | 'Gt' | 'Lt' | 'Gte' | 'Lte' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** The labels Karpenter gives a node of this type that the project's requirements use. */
function instanceProperties(instanceType: string): Record<string, string> {
  const family = instanceFamily(instanceType);
  const { category, generation } = familyCategoryAndGeneration(family);
  const data = instanceTypeData(instanceType);
  return {
    'karpenter.k8s.aws/instance-family': family,
    'karpenter.k8s.aws/instance-category': category,
    'karpenter.k8s.aws/instance-generation': String(generation),
    'karpenter.k8s.aws/instance-size': instanceType.split('.')[1] ?? '',
    'karpenter.k8s.aws/instance-cpu': String(data.vcpus),
    'karpenter.k8s.aws/instance-memory': String(data.memoryMib),
    'node.kubernetes.io/instance-type': instanceType,
    'kubernetes.io/arch': instanceArchitecture(instanceType),
  };
}

/**
 * The instance types of the project's table a NodePool admits, smallest first: family,
 * category, generation, size, vCPUs, memory, type and architecture requirements are evaluated
 * (as Karpenter does: requirements of one key intersect); others (capacity type, OS, zone...)
 * admit every type of the table, which can only add demand. Types above the pool's CPU limit can never launch.
 */
export function admittedInstanceTypes(requirements: readonly InstanceRequirement[], cpuLimit: number): string[] {
  return KNOWN_INSTANCE_TYPES
    .filter((type) => {
      const properties = instanceProperties(type);
      return requirements.every((requirement) => {
        const value = properties[requirement.key];
        if (value === undefined) return true;
        const values = requirement.values ?? [];
        switch (requirement.operator) {
          case 'In':
            return values.includes(value);
          case 'NotIn':
            return !values.includes(value);
          case 'Gt':
            return Number(value) > Number(values[0]);
          case 'Lt':
            return Number(value) < Number(values[0]);
          case 'Gte':
            return Number(value) >= Number(values[0]);
          case 'Lte':
            return Number(value) <= Number(values[0]);
          case 'Exists':
            return true;
          case 'DoesNotExist':
            return false;
        }
      });
    })
    .filter((type) => instanceVcpus(type) <= cpuLimit)
    .sort((a, b) => instanceVcpus(a) - instanceVcpus(b) || a.localeCompare(b));
}
