import type { z } from 'zod';
import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import type { EksAddon, EksAddonPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-addon';
import type { EksAddonPlan } from '../lifecycle/eks-addons.js';
import type { ChartOverrideRules } from '../kubernetes/helm-value-overrides.js';
import type { ControllerIdentitySpec, IdentityConfig } from '../iam/controller-identities.js';
import type { ControllerIdentities, PlatformAddon } from '../addons/addon.js';
import type { CrossFieldRule } from '../config/rules.js';
import type { ComponentCompatibility } from '../lifecycle/compatibility.js';
import type { CorePlan } from '../plan/platform-plan.js';
import type { NodeSource } from '../capacity/ip-budget.js';
import type { ClusterMeshOptions } from '../cluster-mesh/cluster-mesh-options.js';
import type { NetworkingDecision } from '../networking/decision.js';
import type { NetworkStack } from '../stacks/network-stack.js';
import type { ClusterStack } from '../stacks/cluster-stack.js';
import type { ComputeStack } from '../stacks/compute-stack.js';
import type { CniStack } from '../stacks/cni-stack.js';
import type { ClusterAccess } from '../stacks/cluster-access.js';

/**
 * A built-in feature as one module (src/features/<name>/): its config fragment and cross-field
 * rules, its plan step, the pinned components it installs (compatibility entries), the stack it
 * belongs to and its deploy. src/features/registry.ts lists them; the environment schema, the
 * plan, the CNI stack's prerequisites of Cilium and the platform stack's add-ons are assembled
 * from that list (docs/EXTENDING.md).
 */
export interface BuiltInFeature<
  Name extends string = string,
  Top extends z.ZodRawShape = z.ZodRawShape,
  Platform extends z.ZodRawShape = z.ZodRawShape,
  Config = unknown,
  Plan = unknown,
  RuleConfig = Config,
  ComponentConfig = Config,
  EnabledConfig = Config,
  Infrastructure = unknown,
> {
  /** The feature's name, also the name of its add-on (`dependsOn`, `user_addons[].depends_on`) in the platform stack. */
  readonly name: Name;
  /** The keys it adds to the environment file. @default none */
  readonly config?: FeatureConfigFragment<Top, Platform>;
  /**
   * Cross-field rules over the validated config, run with the environment's own (src/config/rules.ts),
   * each at the features' place in the list or after the rule its `after` names. Each function's `config` type
   * names only the fields it reads; the environment config must have them all. @default none
   */
  readonly rules?: readonly FeatureRule<RuleConfig>[];
  /**
   * Whether the config turns the feature on, judged on the config file alone, before any plan:
   * a user add-on's depends_on may name the features it turns on. The plan step plans the same.
   */
  enabledIn(config: EnabledConfig): boolean;
  /**
   * The keys of its charts under `helm_values` (the escape hatch, checked against each pinned
   * chart by its rules), placed among the other charts' keys. @default none
   */
  readonly helmValues?: FeatureHelmValues;
  /**
   * Its controllers' Pod Identity roles, by their key under `iam.extra_statements`: a config may
   * give statements for a role while the feature is on (enabledIn). @default none
   */
  readonly controllerRoles?: readonly FeatureControllerRole[];
  /** Helm release names it creates (an add-on of the platform stack: besides its name): user add-ons may not take them. @default none */
  readonly releaseNames?: readonly string[];
  /** The pinned components the config installs with this feature, whose Kubernetes range synth checks. @default none */
  components?(config: ComponentConfig): readonly ComponentCompatibility[];
  /**
   * Where its components come in the list synth checks (and in its messages): after the core
   * platform's (`core`, before every feature's) or after the named feature's. @default registry order, after the core's
   */
  readonly componentsAfter?: string;
  /**
   * The plan step: what the feature does in this environment, or undefined when it is off. Pure,
   * like the rest of the plan; the result is `plan.features[name]`. Exactly one of plan and planBeforeCore.
   */
  plan?(config: Config, context: FeaturePlanContext): Plan | undefined;
  /**
   * A plan step the core plan reads, run before it on the decisions made ahead of every plan
   * (FeatureCorePlanContext): Cilium's, whose pods per node the node groups' max pods, the pod
   * IP budget and Karpenter's plan read (`CorePlan.cilium`). The result is `plan.features[name]`
   * too. Exactly one of plan and planBeforeCore.
   */
  planBeforeCore?(config: Config, context: FeatureCorePlanContext): Plan | undefined;
  /** The nodes its plan adds at maximum scale, which the pod IP budget counts (src/capacity/ip-budget.ts). @default none */
  ipBudgetSources?(plan: Plan, core: CorePlan): readonly NodeSource[];
  /**
   * The stack it is deployed in: `platform`, the Kubernetes add-ons after the nodes exist (its
   * `addon`); `cni`, the CNI stack, before any node exists: what Cilium needs before it starts
   * (CRDs, a StorageClass, a Secret), which the Cilium release waits for (its `cni` step);
   * `compute`, its AWS side alone, in the compute stack (an EKS add-on and its role: its `compute` step).
   */
  readonly stack: 'platform' | 'cni' | 'compute';
  /**
   * Where its add-on (or its `cni` step) creates its resources: `own`, a construct named after the
   * feature in the stack (its Terraform addresses are its own); `stack`, the stack itself, for the features whose
   * addresses predate the modules (a scope of their own would move every one of them). @default 'own'
   */
  readonly constructScope?: 'own' | 'stack';
  /**
   * Its AWS side in the compute stack, from its plan, at the place computeAt names, in `scope`
   * (chosen like the add-on's, by constructScope). The add-on gets what it returns as
   * `infrastructure`. Features of stack `compute` have one; features of stack `platform` may. @default none
   */
  compute?(plan: Plan, context: FeatureComputeContext): Infrastructure;
  /**
   * Where in the compute stack its compute step runs: `nodeGroups`, right after the managed node
   * groups (before Fargate profiles); `nodeAddons`, with the EKS add-ons that need nodes, after
   * CoreDNS, when every node group and Fargate profile exists (context.nodeAddon installs one).
   * @default 'nodeGroups'
   */
  readonly computeAt?: 'nodeGroups' | 'nodeAddons';
  /**
   * Its AWS side in the cluster stack, from its plan, right after the node security group (before
   * the EKS add-ons), in `scope` (chosen like the add-on's, by constructScope): a controller role
   * that must exist before the nodes (the Cilium operator's). Its add-on gets the result as
   * `infrastructure`, its `identities` read it. Not with a compute step. @default none
   */
  cluster?(plan: Plan, context: FeatureClusterContext): Infrastructure;
  /** The controller roles its AWS side (compute or cluster step) created, for add-ons that hand them on (ClusterInfo.identities). @default none */
  identities?(infrastructure: Infrastructure): ControllerIdentities;
  /** Its add-on (src/addons/addon.ts), built from its plan; the platform stack orders and deploys it. Exactly the features of stack `platform` have one. */
  addon?(plan: Plan, context: FeatureDeployContext<Infrastructure>): PlatformAddon;
  /**
   * Its resources in the CNI stack, created in registry order in the scope constructScope chooses,
   * before the Cilium release, which depends on what it returns (the resources Cilium must find
   * in place). Exactly the features of stack `cni` have one.
   */
  cni?(plan: Plan, context: FeatureCniContext): readonly ITerraformDependable[];
  /**
   * Its cni step runs after every other CNI-stack feature's, whatever their registry places, and
   * receives what they created (context.earlier): Cilium, whose release waits for them. Only with a cni step. @default false
   */
  readonly cniLast?: boolean;
}

/**
 * A feature's cross-field rule and its place among the environment's rules: messages of a file
 * with several errors come in rule order, so a rule that moves into a feature keeps its place.
 */
export interface FeatureRule<Config> extends CrossFieldRule<Config> {
  /**
   * The `checks` of the rule (the environment's, or an earlier feature's) this one runs after;
   * rules placed after the same one keep the registry's order. @default the features' place,
   * after Cilium's `cilium.hubble_relay needs enable_hubble` (src/config/schema.ts; Cilium's module comes first)
   */
  readonly after?: string;
  /**
   * The `checks` of the rule this one runs before, for a rule whose place is ahead of every
   * other (the first rules of the environment); rules placed before the same one keep the
   * registry's order. Not with `after`. @default none (see after)
   */
  readonly before?: string;
}

/** A controller role of a feature: present while the feature is on and, if it says so, only in some of its configurations. */
export interface FeatureControllerRole extends ControllerIdentitySpec {
  /** When the feature makes the role, besides being on (the Cilium operator's: ENI mode only). @default whenever the feature is on */
  presentIn?(config: IdentityConfig): boolean;
}

/** A feature's charts under `helm_values`, in order, and where their keys go among the others'. */
export interface FeatureHelmValues {
  readonly charts: readonly FeatureHelmChart[];
  /** The helm_values key they follow. @default the end (or see before) */
  readonly after?: string;
  /** The helm_values key they come before. Not with `after`. @default none */
  readonly before?: string;
}

/** One chart's key under `helm_values`: `rules.field`. */
export interface FeatureHelmChart {
  /** The pinned chart's keys, schema and rules, and the values the plan owns. */
  readonly rules: ChartOverrideRules;
  /** When the chart is installed, for the key's description (`the controller, with karpenter.enabled`). */
  readonly installed: string;
  /** Why the chart is not installed while the feature is off, for the refusal of values given then. @default `<name> is off` */
  readonly off?: string;
}

/**
 * Where a feature's keys go in the environment file. Keys keep the registry's order; `after`
 * keeps the order of existing files (and of the "allowed here" lists of messages).
 */
export interface FeatureConfigFragment<Top extends z.ZodRawShape = z.ZodRawShape, Platform extends z.ZodRawShape = z.ZodRawShape> {
  /** Top-level keys. @default none */
  readonly top?: Top;
  /** The top-level key `top` follows. @default the end of the file's keys */
  readonly after?: string;
  /** Keys under `platform:` (Kubernetes add-ons installed after the nodes exist). @default none */
  readonly platform?: Platform;
}

/** What a plan step may read besides the config: decisions the core plan made first. */
export interface FeaturePlanContext {
  readonly core: CorePlan;
  /** Membership in a Cilium Cluster Mesh (multi-region). @default none */
  readonly clusterMesh?: ClusterMeshOptions;
}

/** What a plan step that runs before the core plan (planBeforeCore) may read: what is decided before any plan. */
export interface FeatureCorePlanContext {
  /** EKS (and Cilium) cluster name. */
  readonly clusterName: string;
  /** `cilium_enabled = enable_cilium && !enable_fargate`, and what follows from it. */
  readonly networking: NetworkingDecision;
  /** Membership in a Cilium Cluster Mesh (multi-region). @default none */
  readonly clusterMesh?: ClusterMeshOptions;
}

/** Where a feature's AWS side is created in the cluster stack, and the core plan it may read. */
export interface FeatureClusterContext {
  readonly scope: Construct;
  readonly core: CorePlan;
  /** The cluster's name as a reference to the cluster stack's cluster. */
  readonly clusterName: string;
  /** The VPC's id, as the cluster stack reads it from the network stack. */
  readonly vpcId: string;
}

/** Where a feature's AWS side is created in the compute stack, and the core plan it may read. */
export interface FeatureComputeContext {
  readonly scope: Construct;
  readonly core: CorePlan;
  /** The cluster's name as the compute stack reads it: a reference to the cluster stack's cluster. */
  readonly clusterName: string;
  /**
   * Installs an EKS add-on as the compute stack installs CoreDNS (`addon-<name>` in scope, after
   * every node group and Fargate profile, conflicts overwritten). Only at computeAt `nodeAddons`:
   * elsewhere it throws.
   */
  nodeAddon(addon: EksAddonPlan, options?: { readonly podIdentityAssociation?: EksAddonPodIdentityAssociation[] }): EksAddon;
}

/** Where a feature's resources are created in the CNI stack, and what they may read. */
export interface FeatureCniContext {
  readonly scope: Construct;
  readonly core: CorePlan;
  /** The cluster, as the CNI stack reaches it (its kubernetes and helm providers). */
  readonly cluster: ClusterAccess;
  /** What the CNI-stack features before it created, by feature name, in order (a cniLast feature's prerequisites). */
  readonly earlier: ReadonlyMap<string, readonly ITerraformDependable[]>;
}

/** What an add-on may be built from: the core plan, the stacks deployed before the platform stack and its own AWS side. */
export interface FeatureDeployContext<Infrastructure = unknown> {
  readonly core: CorePlan;
  readonly stacks: { readonly network: NetworkStack; readonly cluster: ClusterStack; readonly compute: ComputeStack; readonly cni?: CniStack };
  /** What its `compute` (or `cluster`) step returned. @default none */
  readonly infrastructure?: Infrastructure;
}

/** A feature with its types inferred from the literal (name, config keys, plan). */
export function defineFeature<
  const Name extends string,
  Config,
  Plan,
  Top extends z.ZodRawShape = Record<never, never>,
  Platform extends z.ZodRawShape = Record<never, never>,
  RuleConfig = Config,
  ComponentConfig = Config,
  EnabledConfig = Config,
  Infrastructure = unknown,
>(
  feature: BuiltInFeature<Name, Top, Platform, Config, Plan, RuleConfig, ComponentConfig, EnabledConfig, Infrastructure>,
): BuiltInFeature<Name, Top, Platform, Config, Plan, RuleConfig, ComponentConfig, EnabledConfig, Infrastructure> {
  return feature;
}
