import { Construct } from 'constructs';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { EksNodeGroup, type EksNodeGroupTaint } from '@cdktf/provider-aws/lib/eks-node-group';
import { nodeUserData } from '../lib/private/node-user-data.js';
import { isKnownInstanceType } from '../capacity/instance-types.js';
import { nodeGroupHardware, type Al2023AmiType } from '../capacity/ami-types.js';

function base64(text: string | undefined): string | undefined {
  return text === undefined ? undefined : Buffer.from(text).toString('base64');
}

/** Cilium removes this taint once its agent runs on the node; until then no pod is scheduled. */
export const CILIUM_STARTUP_TAINT = { key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NO_EXECUTE' } as const;

export interface ManagedNodeGroupProps {
  readonly clusterName: string;
  readonly name: string;
  /**
   * Kubernetes version of the nodes: the control plane's. A change rolls the group through
   * update_config (a third of the nodes at a time) onto the AMI of the new version.
   */
  readonly kubernetesVersion: string;
  readonly nodeRoleArn: string;
  readonly subnetIds: string[];
  /** Security groups of the nodes: the cluster security group and the node group. */
  readonly securityGroupIds: string[];
  /** Types of the instance table (capacity/instance-data.ts), one architecture and one accelerator. */
  readonly instanceTypes: readonly string[];
  /**
   * The EKS AMI type. @default the AL2023 type of the instance types' architecture and
   * accelerator (capacity/ami-types.ts): x86_64 or ARM_64, STANDARD, NVIDIA or NEURON
   */
  readonly amiType?: Al2023AmiType;
  /** @default 'ON_DEMAND' */
  readonly capacityType?: 'ON_DEMAND' | 'SPOT';
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  /** @default 50 */
  readonly diskSizeGib?: number;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Taints applied at registration, e.g. the Cilium startup taint. @default [] */
  readonly taints?: readonly EksNodeGroupTaint[];
  /**
   * kubelet maxPods, set through nodeadm. Needed with Cilium ENI mode, whose pod capacity
   * differs from the VPC CNI figure AL2023 would compute. @default nodeadm's own
   */
  readonly maxPods?: number;
  /**
   * Cilium ENI mode: user data leaves every ENI but the primary one unmanaged by
   * systemd-networkd (lib/private/node-user-data.ts). @default false
   */
  readonly ciliumEni?: boolean;
}

/** The props' own invariants, as EKS would refuse them at apply (or nodes would not run); returns the AMI type. */
function validateNodeGroup(props: ManagedNodeGroupProps): Al2023AmiType {
  const refuse = (problem: string): never => {
    throw new Error(`node group ${props.name}: ${problem}`);
  };
  if (props.instanceTypes.length === 0) refuse('instanceTypes must list at least one instance type');
  const unknown = props.instanceTypes.filter((type) => !isKnownInstanceType(type));
  if (unknown.length > 0) refuse(`${unknown.join(', ')} not in the instance table (docs/INSTANCE_TYPES.md): the AMI type and pod capacity come from it`);
  const hardware = nodeGroupHardware(props.instanceTypes);
  if ('problem' in hardware) return refuse(`instanceTypes ${hardware.problem}`);
  if (props.amiType !== undefined && props.amiType !== hardware.amiType) {
    refuse(`amiType ${props.amiType} does not boot ${props.instanceTypes.join(', ')} (${hardware.arch}, accelerator ${hardware.accelerator}): use ${hardware.amiType}`);
  }
  if (props.minSize < 0 || props.minSize > props.maxSize) refuse(`minSize ${props.minSize} must be between 0 and maxSize ${props.maxSize}`);
  if (props.maxSize < 1) refuse(`maxSize ${props.maxSize} must be at least 1`);
  if (props.desiredSize < props.minSize || props.desiredSize > props.maxSize) refuse(`desiredSize ${props.desiredSize} must be within minSize..maxSize (${props.minSize}..${props.maxSize})`);
  if (props.maxPods !== undefined && (!Number.isInteger(props.maxPods) || props.maxPods < 1)) refuse(`maxPods ${props.maxPods} must be a positive whole number`);
  return hardware.amiType;
}

/**
 * An EKS managed node group on AL2023 (the AMI type of its instance types: x86_64 or arm64,
 * standard, NVIDIA or Neuron) through a launch template that requires IMDSv2 (hop limit 1:
 * pods cannot reach the instance credentials) and encrypts the root volume.
 */
export class ManagedNodeGroup extends Construct {
  readonly nodeGroup: EksNodeGroup;

  constructor(scope: Construct, id: string, props: ManagedNodeGroupProps) {
    super(scope, id);
    const amiType = validateNodeGroup(props);
    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name: `${props.clusterName}-${props.name}`,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: props.securityGroupIds,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', ebs: { volumeSize: props.diskSizeGib ?? 50, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } },
      ],
      tagSpecifications: [{ resourceType: 'instance', tags: { Name: `${props.clusterName}-${props.name}` } }],
      userData: base64(nodeUserData({ maxPods: props.maxPods, ciliumEni: props.ciliumEni ?? false })),
    });

    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      nodeGroupName: props.name,
      version: props.kubernetesVersion,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      amiType,
      instanceTypes: [...props.instanceTypes],
      capacityType: props.capacityType ?? 'ON_DEMAND',
      scalingConfig: { minSize: props.minSize, maxSize: props.maxSize, desiredSize: props.desiredSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
      labels: { ...props.labels },
      taint: props.taints ? [...props.taints] : undefined,
      // Autoscalers own desired_size after creation.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
    });
  }
}
