// The construct library: config, plan, constructs and stacks. Tooling (doc generators, process
// runners) lives in scripts/ and ./testing, not here.
export * from './versions.js';

// Versions over time: the EKS calendar, what each pinned component supports, add-on pins.
export * from './lifecycle/index.js';

// Config: the environment file formats and their loading.
export * from './config/schema.js';
export * from './config/multi-region-schema.js';
export * from './config/load.js';
export * from './config/json-schema.js';
export * from './config/extension-schema.js';
export * from './config/escape-hatches.js';

// The plan: every decision made once, before any construct exists.
export * from './networking/decision.js';
export * from './networking/platform-rules.js';
export * from './plan/platform-plan.js';
export * from './plan/multi-region-plan.js';
export * from './capacity/max-pods.js';
export * from './capacity/instance-types.js';
export * from './capacity/ami-types.js';
export * from './capacity/ip-budget.js';
export * from './lib/cidr.js';
export * from './lib/subnet-plan.js';

// Built-in features: one folder each (src/features/<name>/), assembled from src/features/registry.ts.
export * from './features/feature.js';
export * from './features/built-in.js';
export { afterLoadBalancerController } from './features/load-balancer-controller/feature.js';
export { planKarpenter, karpenterIpBudgetSources, type KarpenterPlan } from './features/karpenter/plan.js';
export { KARPENTER_RULES } from './features/karpenter/rules.js';

// Stacks and the platforms that compose them.
export * from './platform.js';
export * from './stacks/environment-stack.js';
export * from './stacks/cluster-access.js';
export * from './stacks/state-bucket-stack.js';
export * from './stacks/network-stack.js';
export * from './stacks/cluster-stack.js';
export * from './stacks/cni-stack.js';
export * from './stacks/compute-stack.js';
export * from './stacks/platform-addons-stack.js';

// AWS constructs.
export * from './constructs/vpc.js';
export * from './constructs/eks-control-plane.js';
export * from './constructs/node-security-group.js';
export * from './constructs/node-role.js';
export * from './constructs/managed-node-group.js';
export * from './constructs/fargate-profile.js';
export * from './constructs/pod-identity-role.js';

// Extra IAM statements per controller role (config iam.extra_statements).
export * from './iam/policy-statements.js';
export * from './iam/controller-identities.js';

// Cilium.
export * from './features/cilium/eni.js';
export * from './features/cilium/values.js';
export * from './features/cilium/chart-keys.js';
export * from './features/cilium/chart-validation.js';
export * from './features/cilium/helm-value-rules.js';
export * from './features/cilium/cilium-operator-identity.js';
export * from './features/cilium/cilium-release.js';
export * from './features/cilium/plan.js';

// Karpenter.
export * from './karpenter/karpenter-capacity.js';
export * from './karpenter/karpenter-infrastructure.js';
export * from './karpenter/node-pools.js';
export * from './karpenter/karpenter-addon.js';
export * from './karpenter/helm-value-rules.js';

// Cluster Mesh.
export * from './cluster-mesh/cluster-mesh-options.js';
export * from './features/cluster-mesh-dns/cluster-mesh-dns.js';
export * from './cluster-mesh/mesh-global-stack.js';
export * from './cluster-mesh/multi-region-platform.js';

// Load balancers: the AWS Load Balancer Controller and the Services it serves.
export * from './features/load-balancer-controller/service-annotations.js';
export * from './features/load-balancer-controller/load-balancer-controller-policy.js';
export * from './features/load-balancer-controller/load-balancer-controller-addon.js';
export * from './features/load-balancer-controller/helm-value-rules.js';

// Kubernetes add-ons.
export * from './kubernetes/chart-values.js';
export * from './kubernetes/helm-value-overrides.js';
export * from './lifecycle/eks-addon-configuration.js';
export * from './addons/addon.js';
export * from './features/network-policy-baseline/network-policy-baseline.js';
export * from './features/argocd/argocd.js';
export * from './addons/user-addons.js';
export * from './features/argocd/helm-value-rules.js';

// Policy pack.
export * from './policy/rule.js';
export * from './policy/rules.js';
export * from './policy/suppress.js';
export * from './policy/aspect.js';
export * from './policy/report.js';

// App entry point, and every app of a workspace together.
export * from './app/run-app.js';
export * from './app/shared-account-resources.js';
export * from './app/workspace.js';
export * from './app/cdktf-deprecations.js';
