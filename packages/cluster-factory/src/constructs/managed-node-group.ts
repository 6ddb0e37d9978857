import { Construct } from 'constructs';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { EksNodeGroup, type EksNodeGroupTaint } from '@cdktf/provider-aws/lib/eks-node-group';
import { nodeUserData } from '../lib/private/node-user-data.js';

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
  readonly instanceTypes: readonly string[];
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

/** The props' own invariants, as EKS would refuse them at apply. */
function validateNodeGroup(props: ManagedNodeGroupProps): void {
  const refuse = (problem: string) => {
    throw new Error(`node group ${props.name}: ${problem}`);
  };
  if (props.instanceTypes.length === 0) refuse('instanceTypes must list at least one instance type');
  if (props.minSize < 0 || props.minSize > props.maxSize) refuse(`minSize ${props.minSize} must be between 0 and maxSize ${props.maxSize}`);
  if (props.maxSize < 1) refuse(`maxSize ${props.maxSize} must be at least 1`);
  if (props.desiredSize < props.minSize || props.desiredSize > props.maxSize) refuse(`desiredSize ${props.desiredSize} must be within minSize..maxSize (${props.minSize}..${props.maxSize})`);
  if (props.maxPods !== undefined && (!Number.isInteger(props.maxPods) || props.maxPods < 1)) refuse(`maxPods ${props.maxPods} must be a positive whole number`);
}

/**
 * An EKS managed node group on AL2023 through a launch template that requires IMDSv2
 * (hop limit 1: pods cannot reach the instance credentials) and encrypts the root volume.
 */
export class ManagedNodeGroup extends Construct {
  readonly nodeGroup: EksNodeGroup;

  constructor(scope: Construct, id: string, props: ManagedNodeGroupProps) {
    super(scope, id);
    validateNodeGroup(props);
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
      amiType: 'AL2023_x86_64_STANDARD',
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
