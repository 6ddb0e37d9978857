import { networkingOf, type NetworkingDecision } from '../networking/decision.js';
import type { EnvironmentConfig } from '../config/schema.js';
import type { StackSettings } from '../stacks/environment-stack.js';
import { ciliumMaxPods } from '../capacity/max-pods.js';
import type { CiliumPlan } from '../features/cilium/plan.js';
import { ACCELERATOR_TAINTS, nodeGroupHardware, type Al2023AmiType, type KubernetesTaint } from '../capacity/ami-types.js';
import { IpBudgetError, podIpBudget, type IpBudget, type NodeSource } from '../capacity/ip-budget.js';
import { planSubnets } from '../lib/subnet-plan.js';
import type { ClusterMeshOptions } from '../cluster-mesh/cluster-mesh-options.js';
import { calendarToday } from '../lifecycle/eks-calendar.js';
import { kubernetesSupport, supportTypeOf, type SupportType } from '../lifecycle/kubernetes-support.js';
import { compatibilityFindings } from '../lifecycle/compatibility.js';
import { CONTROLLER_IDENTITY_NAMES, componentsInUse, featureIpBudgetSources, planFeatures, planFeaturesBeforeCore, type FeaturePlans } from '../features/built-in.js';

import { controlPlaneAddonNames, nodeAddonNames, pinnedAddons, type EksAddonPlan } from '../lifecycle/eks-addons.js';
import type { ExtraStatements } from '../iam/controller-identities.js';
import type { UserAddon } from '../addons/user-addons.js';
import type { KubernetesObject } from '../kubernetes/validate.js';
import { addonConfigurations, type HelmValueOverrides } from '../config/escape-hatches.js';

/**
 * Every decision about one environment's cluster, made once from its validated config: the
 * stacks and constructs only build what the plan says. Pure: no construct is created, so
 * it is tested without synthesizing.
 */
export interface PlatformPlan extends CorePlan {
  /** What each built-in feature decided (src/features/registry.ts), by feature name; absent when it is off. */
  readonly features: FeaturePlans;
}

/** The plan of the core platform (network, cluster, CNI, compute), which the features' plan steps read. */
export interface CorePlan {
  /** The config's `name`. */
  readonly environment: string;
  /** EKS (and Cilium) cluster name. */
  readonly clusterName: string;
  /**
   * Region, account, state backend, tags and protection every stack of this cluster shares
   * (`protected`: prevent_destroy on stateful resources, stricter policy rules).
   */
  readonly settings: StackSettings;
  /** `cilium_enabled = enable_cilium && !enable_fargate`, and what follows from it. */
  readonly networking: NetworkingDecision;
  readonly network: NetworkPlan;
  readonly controlPlane: ControlPlanePlan;
  /** Cilium's plan (its feature's planBeforeCore, also `features.cilium`): present exactly when Cilium is the CNI. */
  readonly cilium?: CiliumPlan;
  readonly nodeGroups: readonly NodeGroupPlan[];
  readonly fargateProfiles: readonly FargateProfilePlan[];
  /** EKS add-ons installed once nodes exist (CoreDNS), each pinned for the cluster's Kubernetes version; features add theirs (the EBS CSI driver). */
  readonly nodeAddons: readonly EksAddonPlan[];
  /** The platform team's IAM statements per controller role (config `iam.extra_statements`), appended to its inline policy. */
  readonly extraStatements: ExtraStatements;
  /** The platform team's own add-ons (config `user_addons`), installed after the platform's. */
  readonly userAddons: readonly UserAddon[];
  /** The config's helm_values per chart, deep-merged last over the values each chart gets from the plan. */
  readonly helmValues: HelmValueOverrides;
  /** Membership in a Cilium Cluster Mesh (multi-region). */
  readonly clusterMesh?: ClusterMeshOptions;
  /** The pod IP budget at maximum scale (with Cilium; the VPC CNI is not modelled). */
  readonly ipBudget?: IpBudget;
  /** Warnings synth prints, each attached to the stack it concerns. */
  readonly warnings: readonly PlanWarning[];
}

export interface NetworkPlan {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly natGateways: 'single' | 'one_per_zone';
}

export interface ControlPlanePlan {
  /** Also the version of every managed node group: nodes follow the control plane. */
  readonly kubernetesVersion: string;
  /** What EKS does when standard support ends (upgrade_policy.support_type). */
  readonly supportType: SupportType;
  /** EKS add-ons installed with the control plane, each pinned for kubernetesVersion. */
  readonly addons: readonly EksAddonPlan[];
  readonly endpointPublicAccess: boolean;
  readonly publicAccessCidrs: readonly string[];
  readonly adminPrincipalArns: readonly string[];
  readonly logRetentionDays: number;
  /** Open UDP 51871 between nodes (Cilium WireGuard). */
  readonly wireguard: boolean;
  /** Open TCP 4250 between nodes (Cilium mutual authentication). */
  readonly mutualAuth: boolean;
}

export interface NodeGroupPlan {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGib: number;
  readonly labels: Readonly<Record<string, string>>;
  /** kubelet maxPods: with Cilium, the smallest of its types' figures. @default nodeadm's own (VPC CNI) */
  readonly maxPods?: number;
  /** The AL2023 AMI type of its instance types' architecture and accelerator. */
  readonly amiType: Al2023AmiType;
  /** GPU and Neuron nodes: the taint that keeps other pods off (ACCELERATOR_TAINTS). @default none */
  readonly acceleratorTaint?: KubernetesTaint;
}

export interface FargateProfilePlan {
  readonly name: string;
  readonly selectors: ReadonlyArray<{ readonly namespace: string; readonly labels: Readonly<Record<string, string>> }>;
}

export interface PlanWarning {
  readonly stack: 'network' | 'cluster' | 'compute';
  readonly message: string;
}

/** The day's verdict on the Kubernetes version, and pinned components outside their tested range. */
function lifecycleWarnings(config: EnvironmentConfig, today: string): string[] {
  const support = kubernetesSupport(
    { version: config.kubernetes_version, supportType: supportTypeOf(config), warnDays: config.upgrade_policy.warn_days_before_standard_support_ends },
    today,
  );
  // A protected environment refuses untested combinations at validation (config/schema.ts).
  const untested = config.protect_stateful_resources ? [] : compatibilityFindings(componentsInUse(config), config.kubernetes_version).untested;
  return [...support.warnings, ...untested];
}

export interface PlanOptions {
  /** Membership in a Cilium Cluster Mesh. @default none */
  readonly clusterMesh?: ClusterMeshOptions;
  /** Prefix of stack names, unique across all apps. @default config.name */
  readonly stackPrefix?: string;
  /** EKS cluster name. @default config.name */
  readonly clusterName?: string;
  /** The day (YYYY-MM-DD, UTC) support warnings are judged on; only messages depend on it. @default calendarToday() */
  readonly today?: string;
}

/** Tags every resource of an environment carries, before the config's own tags. */
export function baseTags(config: Pick<EnvironmentConfig, 'name' | 'tags'>, clusterName: string): Record<string, string> {
  return { Environment: config.name, Cluster: clusterName, ManagedBy: 'cdktf', ...config.tags };
}

/** The extra statements of the config, per role that has any. */
function extraStatements(iam: EnvironmentConfig['iam']): ExtraStatements {
  return Object.fromEntries(CONTROLLER_IDENTITY_NAMES.flatMap((identity) => {
    const statements = iam.extra_statements[identity] ?? [];
    return statements.length > 0 ? [[identity, statements]] : [];
  }));
}

/** The config's user add-ons: Helm charts first, then manifests (their depends_on decides the order). */
function userAddons(addons: EnvironmentConfig['user_addons']): UserAddon[] {
  const common = (addon: EnvironmentConfig['user_addons']['helm_charts'][number] | EnvironmentConfig['user_addons']['manifests'][number]) => ({
    name: addon.name,
    namespace: addon.namespace,
    createNamespace: addon.create_namespace,
    dependsOn: addon.depends_on,
    ...(addon.serves_webhooks ? { servesWebhooks: { names: addon.serves_webhooks.names, hostNetwork: addon.serves_webhooks.host_network } } : {}),
  });
  return [
    ...addons.helm_charts.map((chart): UserAddon => ({ kind: 'helm', ...common(chart), repository: chart.repository, chart: chart.chart, version: chart.version, values: chart.values })),
    ...addons.manifests.map((manifest, index): UserAddon => {
      // loadEnvironmentConfig reads the file into objects; the schema alone cannot.
      if (!manifest.objects) throw new Error(`user_addons.manifests[${index}] (${manifest.name}): ${manifest.file} was not read; load the config with loadEnvironmentConfig (it reads manifest files relative to the config)`);
      return { kind: 'manifest', ...common(manifest), source: manifest.file ?? 'inline', objects: manifest.objects as unknown as KubernetesObject[] };
    }),
  ];
}

/**
 * The plan of one environment's cluster. Throws IpBudgetError when pods at maximum scale
 * cannot get addresses (nothing is synthesized then).
 */
export function planPlatform(config: EnvironmentConfig, options: PlanOptions = {}): PlatformPlan {
  const clusterName = options.clusterName ?? config.name;
  const networking = networkingOf(config);
  const warnings: PlanWarning[] = [
    ...networking.warnings.map((message) => ({ stack: 'cluster' as const, message })),
    ...lifecycleWarnings(config, options.today ?? calendarToday()).map((message) => ({ stack: 'cluster' as const, message })),
  ];
  const settings: StackSettings = {
    environment: config.name,
    stackPrefix: options.stackPrefix ?? config.name,
    region: config.region,
    accountId: config.aws_account_id,
    stateBucket: config.state.bucket,
    stateRegion: config.state.region,
    ...(config.state.key_prefix ? { stateKeyPrefix: config.state.key_prefix } : {}),
    tags: baseTags(config, clusterName),
    protected: config.protect_stateful_resources,
  };
  // Cilium's plan step runs first: the node groups' max pods and the pod IP budget read it.
  const beforeCore = planFeaturesBeforeCore(config, { clusterName, networking, clusterMesh: options.clusterMesh });
  const cilium = beforeCore.cilium;
  const capacity = cilium?.podCapacity;

  const datapathLabel = networking.cni === 'cilium' ? `Cilium ${networking.ciliumMode}` : 'AWS VPC CNI';
  const nodeGroups = config.node_groups.map((group, index): NodeGroupPlan => {
    const pods = capacity ? group.instance_types.map((type) => ({ type, pods: ciliumMaxPods(type, capacity) })) : [];
    for (const { type, pods: count } of pods) {
      if (count < config.min_pods_per_node) {
        warnings.push({
          stack: 'compute',
          message: `node_groups[${index}] (${group.name}): ${type} holds at most ${count} pods with the ${datapathLabel} datapath, fewer than min_pods_per_node ${config.min_pods_per_node}; use a larger instance type or cilium.prefix_delegation`,
        });
      }
    }
    // The config refuses groups that mix architectures or accelerators; a library caller gets the same message here.
    const hardware = nodeGroupHardware(group.instance_types);
    if ('problem' in hardware) throw new Error(`node_groups[${index}] (${group.name}): instance_types ${hardware.problem}`);
    return {
      name: group.name,
      instanceTypes: group.instance_types,
      capacityType: group.capacity_type,
      minSize: group.min_size,
      maxSize: group.max_size,
      desiredSize: group.desired_size,
      diskSizeGib: group.disk_size_gib,
      labels: group.labels,
      maxPods: pods.length > 0 ? Math.min(...pods.map((entry) => entry.pods)) : undefined,
      amiType: hardware.amiType,
      acceleratorTaint: hardware.accelerator === 'none' ? undefined : ACCELERATOR_TAINTS[hardware.accelerator],
    };
  });

  const core: CorePlan = {
    environment: config.name,
    clusterName,
    settings,
    networking,
    network: { vpcCidr: config.vpc_cidr, availabilityZones: config.availability_zones, natGateways: config.nat_gateways },
    controlPlane: {
      kubernetesVersion: config.kubernetes_version,
      supportType: supportTypeOf(config),
      addons: pinnedAddons(controlPlaneAddonNames(networking), config.kubernetes_version, addonConfigurations(config.eks_addons)),
      endpointPublicAccess: config.endpoint_access.public,
      publicAccessCidrs: config.endpoint_access.public_cidrs,
      adminPrincipalArns: config.admin_principals,
      logRetentionDays: config.log_retention_days,
      wireguard: config.cilium.wireguard,
      mutualAuth: config.cilium.mutual_auth,
    },
    cilium,
    nodeGroups,
    fargateProfiles: config.fargate_profiles.map((profile) => ({ name: profile.name, selectors: profile.selectors })),
    // The EBS CSI driver is the ebs-csi-driver feature's.
    nodeAddons: pinnedAddons(nodeAddonNames({ ebsCsiDriver: false }), config.kubernetes_version, addonConfigurations(config.eks_addons)),
    extraStatements: extraStatements(config.iam),
    userAddons: userAddons(config.user_addons),
    helmValues: config.helm_values,
    clusterMesh: options.clusterMesh,
    warnings,
  };
  const plan: PlatformPlan = { ...core, features: { ...beforeCore, ...planFeatures(config, { core, clusterMesh: options.clusterMesh }) } };
  if (!cilium) return plan;
  const ipBudget = checkIpBudget(plan, cilium, config.ip_budget.warn_at_share);
  return { ...plan, ipBudget, warnings: [...warnings, ...ipBudget.warnings.map((message) => ({ stack: 'network' as const, message }))] };
}

/**
 * The pod IP budget: node groups at max_size, the features' nodes (Karpenter pools at their CPU limit), pods per node
 * from the project's max-pods. Throws IpBudgetError when it cannot fit.
 */
function checkIpBudget(plan: PlatformPlan, cilium: CiliumPlan, warnAtShare: number): IpBudget {
  const capacity = cilium.podCapacity;
  const sources: NodeSource[] = plan.nodeGroups.map((group, index) => ({
    label: `node_groups[${index}] (${group.name})`,
    // kubelet maxPods of a group is its smallest type's figure.
    scenarios: group.instanceTypes.map((instanceType) => ({ instanceType, nodes: group.maxSize, podsPerNode: group.maxPods! })),
  }));
  // The nodes the features add (Karpenter's pools at their CPU limit).
  sources.push(...featureIpBudgetSources(plan.features, plan));
  const budget = podIpBudget({
    mode: capacity.mode,
    prefixDelegation: capacity.prefixDelegation,
    hostNetworkPods: capacity.hostNetworkPods,
    subnets: planSubnets(plan.network.vpcCidr, plan.network.availabilityZones).map((subnet) => ({ zone: subnet.zone, cidr: subnet.privateCidr })),
    podCidr: capacity.mode === 'overlay' ? cilium.values.podCidr : undefined,
    sources,
    warnAtShare,
  });
  if (budget.errors.length > 0) throw new IpBudgetError(budget.errors.map((error) => `${plan.clusterName}: ${error}`));
  return budget;
}

/** The stack that creates an account's state bucket. */
export interface StateBootstrapPlan {
  /** In the state region, tagged without a cluster. */
  readonly settings: StackSettings;
  /** Where the stack keeps its own state (docs/STATE_BOOTSTRAP.md). */
  readonly ownState: 'local' | 'migrated';
}

/** The state bucket stack of an environment that creates its bucket; undefined with `state.bootstrap: existing`. */
export function planStateBootstrap(config: Pick<EnvironmentConfig, 'name' | 'state' | 'aws_account_id' | 'tags'>): StateBootstrapPlan | undefined {
  const ownState = config.state.bootstrap;
  if (ownState === 'existing') return undefined;
  return {
    settings: {
      environment: config.name,
      stackPrefix: config.name,
      region: config.state.region,
      accountId: config.aws_account_id,
      stateBucket: config.state.bucket,
      stateRegion: config.state.region,
      ...(config.state.key_prefix ? { stateKeyPrefix: config.state.key_prefix } : {}),
      tags: { Environment: config.name, ManagedBy: 'cdktf', ...config.tags },
    },
    ownState,
  };
}
