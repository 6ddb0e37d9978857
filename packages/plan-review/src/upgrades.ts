import { classify, type ResourceChange, type TerraformPlan } from './plan.js';

/** One versioned component whose version a plan changes. */
export interface UpgradeStep {
  readonly stack: string;
  /** `cluster sandbox`, `add-on coredns (sandbox)`, `node group system (sandbox)`, `chart cilium`. */
  readonly component: string;
  readonly address: string;
  readonly from: string;
  readonly to: string;
}

export interface UpgradeReview {
  /** Every version change, in the order of the stacks given (deployment order), then by address. */
  readonly steps: readonly UpgradeStep[];
  /** Version changes EKS refuses or that would break the cluster: the review refuses the plan. */
  readonly refusals: readonly string[];
  /** Checks that could not be made from these plans, and why. */
  readonly notChecked: readonly string[];
}

type Values = Record<string, unknown>;

/** The version attribute of each versioned resource type, and how the review names it. */
const VERSIONED: Record<string, { attribute: string; component: (values: Values) => string }> = {
  aws_eks_cluster: { attribute: 'version', component: (values) => `cluster ${String(values.name)}` },
  aws_eks_addon: { attribute: 'addon_version', component: (values) => `add-on ${String(values.addon_name)} (${String(values.cluster_name)})` },
  aws_eks_node_group: { attribute: 'version', component: (values) => `node group ${String(values.node_group_name)} (${String(values.cluster_name)})` },
  helm_release: { attribute: 'version', component: (values) => `chart ${String(values.chart)} (release ${String(values.name)})` },
};

const minor = (version: unknown): number | undefined => {
  const match = typeof version === 'string' ? /^1\.(\d+)$/.exec(version) : null;
  return match ? Number(match[1]) : undefined;
};

const values = (change: ResourceChange, side: 'before' | 'after'): Values => (change.change[side] ?? {}) as Values;

/**
 * The upgrade a set of stack plans performs, and the version rules EKS enforces checked before
 * anything is applied: a control plane moves one minor version up at a time and never down,
 * and no node group runs a newer version than its control plane.
 *
 * `controlPlanes`: cluster name -> Kubernetes version of control planes these plans do not
 * include (an earlier stack of the same deploy); the plans' own clusters take precedence.
 */
export function reviewUpgrades(stacks: ReadonlyArray<{ readonly stack: string; readonly plan: TerraformPlan }>, controlPlanes: ReadonlyMap<string, string> = new Map()): UpgradeReview {
  const steps: UpgradeStep[] = [];
  const refusals: string[] = [];
  const notChecked: string[] = [];
  const managed = stacks.flatMap(({ stack, plan }) => (plan.resource_changes ?? []).filter((change) => change.mode !== 'data').map((change) => ({ stack, change })));

  const clusters = new Map(controlPlanes);
  for (const { change } of managed) {
    if (change.type !== 'aws_eks_cluster') continue;
    const action = classify(change.change.actions);
    const side = action === 'delete' ? values(change, 'before') : values(change, 'after');
    if (typeof side.name === 'string' && typeof side.version === 'string') clusters.set(side.name, side.version);
  }

  for (const { stack, change } of managed) {
    const versioned = VERSIONED[change.type];
    const action = classify(change.change.actions);
    if (!versioned || (action !== 'update' && action !== 'replace')) continue;
    const [before, after] = [values(change, 'before'), values(change, 'after')];
    const [from, to] = [before[versioned.attribute], after[versioned.attribute]];
    if (typeof from !== 'string' || typeof to !== 'string' || from === to) continue;
    steps.push({ stack, component: versioned.component(after), address: change.address, from, to });
    if (change.type !== 'aws_eks_cluster') continue;
    const [old, next] = [minor(from), minor(to)];
    if (old === undefined || next === undefined) continue;
    if (next < old) refusals.push(`${stack}: ${change.address}: Kubernetes ${from} -> ${to} is a downgrade, which EKS does not support`);
    else if (next > old + 1) {
      refusals.push(`${stack}: ${change.address}: Kubernetes ${from} -> ${to} skips ${Array.from({ length: next - old - 1 }, (_, index) => `1.${old + index + 1}`).join(', ')}: EKS upgrades a control plane one minor version at a time; deploy 1.${old + 1} first`);
    }
  }

  for (const { stack, change } of managed) {
    const action = classify(change.change.actions);
    if (change.type !== 'aws_eks_node_group' || action === 'delete' || action === 'no-op' || action === 'forget') continue;
    const after = values(change, 'after');
    const version = after.version;
    if (typeof version !== 'string') continue;
    const cluster = String(after.cluster_name);
    const controlPlane = clusters.get(cluster);
    if (controlPlane === undefined) {
      notChecked.push(`${stack}: ${change.address}: the control plane of ${cluster} is not in these plans; its version was not compared`);
    } else if ((minor(version) ?? 0) > (minor(controlPlane) ?? Number.POSITIVE_INFINITY)) {
      refusals.push(`${stack}: ${change.address}: node group version ${version} is newer than its control plane's ${controlPlane} (cluster ${cluster}): upgrade the control plane first`);
    }
  }
  return { steps, refusals, notChecked };
}
