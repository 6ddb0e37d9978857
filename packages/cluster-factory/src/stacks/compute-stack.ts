import { type Construct } from 'constructs';
import { type ITerraformDependable, type TerraformStack } from 'cdktf';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import { NodeRole } from '../constructs/node-role.js';
import { ManagedNodeGroup, CILIUM_STARTUP_TAINT } from '../constructs/managed-node-group.js';
import { FargateProfile } from '../constructs/fargate-profile.js';
import type { NetworkingDecision } from '../networking/decision.js';
import type { FargateProfilePlan, NodeGroupPlan } from '../plan/platform-plan.js';
import type { EksAddonPlan } from '../lifecycle/eks-addons.js';
import { managedPolicyArn, serviceTrustPolicy } from '../lib/private/aws.js';
import { eksTaintEffect } from '../capacity/ami-types.js';
import { firstRepeated } from '../lib/private/names.js';
import type { FeatureCompute, NodeAddonInstaller } from '../features/built-in.js';

export interface ComputeStackProps {
  readonly settings: StackSettings;
  readonly clusterName: string;
  /** The control plane's Kubernetes version: every managed node group runs it (nodes follow the control plane). */
  readonly kubernetesVersion: string;
  readonly networking: NetworkingDecision;
  readonly privateSubnetIds: string[];
  readonly clusterSecurityGroupId: string;
  readonly nodeSecurityGroupId: string;
  /** Managed node groups, each with its kubelet maxPods decided by the plan. */
  readonly nodeGroups: readonly NodeGroupPlan[];
  /** @default [] */
  readonly fargateProfiles?: readonly FargateProfilePlan[];
  /**
   * The stack that installs the CNI. Nodes must not join before it exists, or they stay
   * NotReady ("cni plugin not initialized"); compute is deployed after it.
   */
  readonly cniStack?: TerraformStack;
  /**
   * EKS add-ons whose Deployments need nodes, each pinned: coredns. The features add theirs
   * (aws-ebs-csi-driver, with its Pod Identity role, comes with the ebs-csi-driver feature).
   */
  readonly addons: readonly EksAddonPlan[];
  /**
   * The AWS sides of built-in features (Karpenter's roles, interruption queue and event rules,
   * created after the managed node groups; the EBS CSI driver with the node add-ons). @default none
   */
  readonly features?: readonly FeatureCompute[];
}

/** Node add-ons that come with a built-in feature (their role with them), by the feature's name. */
const FEATURE_NODE_ADDONS: Readonly<Record<string, string>> = { 'aws-ebs-csi-driver': 'ebs-csi-driver' };

/** The props' own invariants: what the networking decision implies for capacity. */
function validateCompute(stack: string, props: ComputeStackProps): void {
  if (props.nodeGroups.length === 0) throw new Error(`${stack}: nodeGroups must list at least one node group (CoreDNS and the platform's controllers run on EC2 nodes)`);
  const twice = firstRepeated(props.nodeGroups.map((group) => group.name));
  if (twice !== undefined) throw new Error(`${stack}: the node group name "${twice}" is used twice`);
  if (props.networking.ciliumEnabled && (props.fargateProfiles ?? []).length > 0) {
    throw new Error(`${stack}: Fargate profiles cannot run with Cilium (no DaemonSets, no eBPF on Fargate); the networking decision turns Cilium off when Fargate is on`);
  }
  const unset = props.nodeGroups.find((group) => props.networking.ciliumEnabled && group.maxPods === undefined);
  if (unset) throw new Error(`${stack}: node group ${unset.name} needs maxPods with Cilium (nodeadm would compute the VPC CNI figure)`);
  const addons = props.addons.map((addon) => addon.name);
  if (!addons.includes('coredns')) throw new Error(`${stack}: addons must include coredns`);
  const featureOwned = addons.filter((name) => FEATURE_NODE_ADDONS[name] !== undefined);
  if (featureOwned.length > 0) throw new Error(`${stack}: ${featureOwned.map((name) => `${name} comes with its Pod Identity role from the ${FEATURE_NODE_ADDONS[name]} feature (features)`).join('; ')}`);
  const unknown = addons.filter((name) => name !== 'coredns');
  if (unknown.length > 0) throw new Error(`${stack}: ${unknown.join(', ')} run without nodes and belong to the cluster stack`);
}

/** Worker capacity: managed node groups, Fargate profiles, and CoreDNS once nodes exist. */
export class ComputeStack extends EnvironmentStack {
  readonly nodeRole: NodeRole;
  readonly nodeGroups: ManagedNodeGroup[];
  readonly fargateProfiles: FargateProfile[];
  /** What each feature's AWS side created, by feature name. */
  readonly features: ReadonlyMap<string, unknown>;

  constructor(scope: Construct, props: ComputeStackProps) {
    super(scope, 'compute', props.settings);
    validateCompute(this.node.id, props);
    if (props.cniStack) this.addDependency(props.cniStack);
    const region = props.settings.region;

    this.nodeRole = new NodeRole(this, 'node-role', {
      name: `${props.clusterName}-node`,
      region,
    });
    const startupTaints = props.networking.ciliumEnabled ? [{ ...CILIUM_STARTUP_TAINT }] : [];
    this.nodeGroups = props.nodeGroups.map((group) => {
      const { acceleratorTaint } = group;
      const taints = [...startupTaints, ...(acceleratorTaint ? [{ key: acceleratorTaint.key, value: acceleratorTaint.value, effect: eksTaintEffect(acceleratorTaint.effect) }] : [])];
      return new ManagedNodeGroup(this, `node-group-${group.name}`, {
        clusterName: props.clusterName,
        name: group.name,
        kubernetesVersion: props.kubernetesVersion,
        nodeRoleArn: this.nodeRole.role.arn,
        subnetIds: props.privateSubnetIds,
        securityGroupIds: [props.clusterSecurityGroupId, props.nodeSecurityGroupId],
        instanceTypes: group.instanceTypes,
        amiType: group.amiType,
        capacityType: group.capacityType,
        minSize: group.minSize,
        maxSize: group.maxSize,
        desiredSize: group.desiredSize,
        diskSizeGib: group.diskSizeGib,
        labels: group.labels,
        taints: taints.length > 0 ? taints : undefined,
        maxPods: group.maxPods,
        ciliumEni: props.networking.ciliumEnabled && props.networking.ciliumMode === 'eni',
      });
    });
    const features = new Map<string, unknown>();
    const deployFeatures = (at: FeatureCompute['at']) => {
      for (const feature of (props.features ?? []).filter((entry) => entry.at === at)) features.set(feature.name, feature.deploy(this, { clusterName: props.clusterName, nodeAddon: nodeAddon }));
    };
    // Declared here, used once every node group and Fargate profile exists (nodeAddons).
    let capacity: ITerraformDependable[] = [];
    const nodeAddon: NodeAddonInstaller = (scope, { name, version, configurationValues }, extra = {}) =>
      new EksAddon(scope, `addon-${name}`, {
        clusterName: props.clusterName,
        addonName: name,
        addonVersion: version,
        ...(configurationValues !== undefined ? { configurationValues } : {}),
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        dependsOn: capacity,
        ...extra,
      });
    deployFeatures('nodeGroups');

    this.fargateProfiles = [];
    const fargateProfiles = props.fargateProfiles ?? [];
    if (fargateProfiles.length > 0) {
      const podExecutionRole = new IamRole(this, 'fargate-pod-execution-role', {
        name: `${props.clusterName}-fargate`,
        assumeRolePolicy: serviceTrustPolicy('eks-fargate-pods.amazonaws.com'),
      });
      new IamRolePolicyAttachment(this, 'fargate-pod-execution-policy', {
        role: podExecutionRole.name,
        policyArn: managedPolicyArn(region, 'AmazonEKSFargatePodExecutionRolePolicy'),
      });
      for (const profile of fargateProfiles) {
        this.fargateProfiles.push(
          new FargateProfile(this, `fargate-${profile.name}`, {
            clusterName: props.clusterName,
            name: profile.name,
            podExecutionRoleArn: podExecutionRole.arn,
            subnetIds: props.privateSubnetIds,
            selectors: profile.selectors,
          }),
        );
      }
    }

    // CoreDNS and the features' node add-ons (the EBS CSI controller) are Deployments: created
    // before nodes exist, the add-ons stay degraded and Terraform times out.
    capacity = [...this.nodeGroups.map((group) => group.nodeGroup), ...this.fargateProfiles.map((profile) => profile.profile)];
    for (const entry of props.addons) nodeAddon(this, entry);
    deployFeatures('nodeAddons');
    this.features = features;
  }
}
