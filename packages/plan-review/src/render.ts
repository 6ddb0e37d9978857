import { unsuppressedErrors, type PolicyReport } from '@cilium-eks/cluster-factory/policy-report';
import { classify, type Action, type TerraformPlan } from './plan.js';
import { attributeChanges, changedTopLevel, type AttributeChange } from './attributes.js';
import { reviewUpgrades } from './upgrades.js';

export interface StackPlan {
  readonly stack: string;
  readonly plan: TerraformPlan;
}

export interface ReviewOptions {
  readonly environment: string;
  /** Fail on any delete or replace (protected environments, from their config). @default false */
  readonly failOnDestroy?: boolean;
  /** Stacks of the app that have no plan, each with the reason; listed so none goes unnoticed. @default [] */
  readonly notPlanned?: ReadonlyArray<{ readonly stack: string; readonly reason: string }>;
  /** The plans start from empty state (no credentials): say so, and that deletions cannot show. @default false */
  readonly offline?: boolean;
  /**
   * Kubernetes versions of control planes outside these plans (cluster name -> version), for the
   * node-group check; e.g. a cluster stack an earlier step of the same deploy applied. @default none
   */
  readonly controlPlanes?: ReadonlyMap<string, string>;
  /**
   * The synthesized output's policy-report.json, or null when it has none (then the review says
   * the policies were not checked). @default undefined: plans alone, no policy section
   */
  readonly policy?: PolicyReport | null;
}

/** What an offline review says before anything else. */
export const OFFLINE_DISCLAIMER =
  '> **Offline plan:** every stack was planned against empty state, without AWS credentials. It shows what a new environment would create; it cannot show what an existing environment would update, replace or delete.';

export interface Review {
  readonly markdown: string;
  readonly destructive: number;
  /** Version changes EKS would refuse or that break the cluster (reviewUpgrades): always refused. */
  readonly upgradeRefusals: readonly string[];
  /** True when the options or the upgrade rules forbid what the plan does. */
  readonly refused: boolean;
}

/** Most attribute changes listed under one resource; the rest are counted. */
const MAX_ATTRIBUTES = 40;

const COUNTED = ['create', 'update', 'replace', 'delete'] as const;
type Counted = (typeof COUNTED)[number] | 'forget';
/** Forget appears in the counts only when some stack forgets something (most plans never do). */
const countedActions = (withForget: boolean): readonly Counted[] => (withForget ? [...COUNTED, 'forget'] : COUNTED);
const code = (text: string) => `\`${text}\``;
/** Addresses in a stable, human order; one collator for all comparisons (localeCompare builds one per call). */
const byAddress = new Intl.Collator('en').compare;

function describeChange(stack: string, change: NonNullable<TerraformPlan['resource_changes']>[number], action: Action): string {
  const parts = [`- ${stack}: **${action}** ${code(change.address)}`];
  if (change.action_reason) parts.push(`, reason ${code(change.action_reason)}`);
  const paths = change.change.replace_paths ?? [];
  if (paths.length > 0) parts.push(`, forced by ${paths.map((path) => code(path.join('.'))).join(', ')}`);
  return parts.join('');
}

/** What the review says about the rule pack's findings for the synthesized output, then what synth could not check. */
export function policySection(policy: PolicyReport | null): string[] {
  if (policy === null) return ['> **Policies not checked:** the synthesized output has no policy-report.json (synthesize it with `nx run <app>:synth`).', ''];
  const errors = unsuppressedErrors(policy);
  const { warnings, suppressed } = policy.summary;
  const findings =
    errors.length === 0
      ? [`Policies: no unsuppressed error; ${warnings} warning(s), ${suppressed} suppressed with a reason (policy-report.json).`, '']
      : [
          `### Policy errors (${errors.length})`,
          '',
          `> **${policy.errorsLetThrough ?? `${errors.length} unsuppressed policy error(s) in the synthesized output`}.**`,
          '',
          ...errors.map((finding) => `- ${finding.stack}: ${code(finding.resource)}: ${finding.message}`),
          '',
        ];
  return [...findings, ...notCheckedSection(policy.notChecked ?? [])];
}

/**
 * The rules synth could not evaluate on what the resources apply (policy-report.json
 * `notChecked`), per object: neither passed nor failed, listed so that no reviewer takes them for checked.
 */
export function notCheckedSection(entries: NonNullable<PolicyReport['notChecked']>): string[] {
  if (entries.length === 0) return [];
  const rules = entries.reduce((sum, entry) => sum + entry.rules.notChecked, 0);
  const lines = [`### Not checked at synth (${rules} rule(s) of ${entries.length} object(s))`, '', 'Not passed: synth could not evaluate these rules; the API server checks them when the object is applied.', ''];
  for (const entry of entries) {
    const { total, evaluatedAndHeld, notApplicable } = entry.rules;
    lines.push(
      `- ${entry.stack}: ${code(entry.resource)} ${entry.object}: ${entry.rules.notChecked} of ${total} ${entry.checks} not checked (${evaluatedAndHeld} evaluated and held, ${notApplicable} not applicable); checked by ${entry.checkedBy}:`,
    );
    append(lines, entry.rulesNotChecked.map((rule) => `  - ${code(rule)}`));
  }
  lines.push('');
  return lines;
}

/** Appends without spreading: a spread of 100k entries overflows the call stack. */
function append(target: string[], entries: readonly string[]): void {
  for (const entry of entries) target.push(entry);
}

/** The changed values under an updated or replaced resource, indented below its line. */
function attributeLines(changes: readonly AttributeChange[]): string[] {
  const lines = changes.slice(0, MAX_ATTRIBUTES).map((entry) => `  - ${code(entry.path)}: ${entry.before} → ${entry.after}`);
  if (changes.length > MAX_ATTRIBUTES) lines.push(`  - … ${changes.length - MAX_ATTRIBUTES} more changed values`);
  return lines;
}

/**
 * A Markdown review of Terraform plans: counts per stack, destructive changes first with
 * the reason Terraform gives, the upgrade the plans perform (cluster, add-ons, node groups,
 * charts: from -> to, in stack order) and the version rules it breaks, then every change
 * grouped by stack and action, each update and replacement with its changed values (values
 * Terraform marks sensitive are masked, as `terraform plan` masks them), then output changes
 * (names only). Linear in the number of changes (apart from sorting addresses).
 */
export function renderReview(stacks: readonly StackPlan[], options: ReviewOptions): Review {
  const failOnDestroy = options.failOnDestroy ?? false;
  const withForget = stacks.some(({ plan }) => (plan.resource_changes ?? []).some((change) => change.mode !== 'data' && classify(change.change.actions) === 'forget'));
  const actions = countedActions(withForget);
  const lines: string[] = [`## Plan review: ${options.environment}`, ''];
  if (options.offline) lines.push(OFFLINE_DISCLAIMER, '');
  if (options.policy !== undefined) append(lines, policySection(options.policy));
  lines.push(`| stack | ${actions.join(' | ')} |`, `|---|${actions.map(() => '---:').join('|')}|`);
  const totals = new Map<Counted, number>(actions.map((action) => [action, 0]));
  const destructive: string[] = [];
  const forgotten: string[] = [];
  const sections: string[] = [];

  for (const { stack, plan } of stacks) {
    const changes = (plan.resource_changes ?? []).filter((change) => change.mode !== 'data');
    const byAction = new Map<Counted, string[]>(actions.map((action) => [action, []]));
    const counts = new Map<Counted, number>(actions.map((action) => [action, 0]));
    for (const change of [...changes].sort((a, b) => byAddress(a.address, b.address))) {
      const action = classify(change.change.actions);
      const entries = byAction.get(action as Counted);
      if (!entries) continue;
      counts.set(action as Counted, counts.get(action as Counted)! + 1);
      if (action === 'replace' || action === 'delete') destructive.push(describeChange(stack, change, action));
      if (action === 'forget') forgotten.push(`- ${stack}: **forget** ${code(change.address)}`);
      const changed = action === 'update' || action === 'replace' ? attributeChanges(change.change) : [];
      const detail = action === 'update' ? ` (changed: ${changedTopLevel(changed).join(', ')})` : '';
      entries.push(`- ${code(change.address)}${detail}`);
      append(entries, attributeLines(changed));
    }
    for (const action of actions) totals.set(action, totals.get(action)! + counts.get(action)!);
    lines.push(`| ${stack} | ${actions.map((action) => counts.get(action)!).join(' | ')} |`);

    const section: string[] = [`### ${stack}`, ''];
    if (actions.every((action) => counts.get(action) === 0)) section.push('No changes.', '');
    for (const action of actions) {
      const entries = byAction.get(action)!;
      if (entries.length === 0) continue;
      section.push(`<details><summary>${counts.get(action)} to ${action}</summary>`, '');
      append(section, entries);
      section.push('', '</details>', '');
    }
    const outputs = Object.entries(plan.output_changes ?? {})
      .map(([name, change]) => [name, classify(change.actions)] as const)
      .filter(([, action]) => action !== 'no-op')
      .sort(([a], [b]) => byAddress(a, b));
    if (outputs.length > 0) {
      section.push('Output changes:', '');
      append(section, outputs.map(([name, action]) => `- ${action} ${code(name)}`));
      section.push('');
    }
    sections.push(section.join('\n'));
  }
  const notPlanned = options.notPlanned ?? [];
  for (const { stack } of notPlanned) lines.push(`| ${stack} | not planned |${actions.slice(1).map(() => ' |').join('')}`);
  lines.push(`| **total** | ${actions.map((action) => totals.get(action)).join(' | ')} |`, '');
  if (notPlanned.length > 0) lines.push(`### Not planned (${notPlanned.length})`, '', ...notPlanned.map(({ stack, reason }) => `- ${stack}: ${reason}`), '');

  if (destructive.length > 0) {
    lines.push(`### Destructive changes (${destructive.length})`, '');
    append(lines, destructive);
    lines.push('');
    if (failOnDestroy) lines.push(`**Refused:** ${options.environment} is protected (protect_stateful_resources): no deletion or replacement without an explicit override (\`--allow-destroy\`).`, '');
  } else {
    lines.push('No resource is deleted or replaced.', '');
  }
  const upgrades = reviewUpgrades(stacks, options.controlPlanes);
  if (upgrades.steps.length > 0) {
    lines.push(`### Upgrade (${upgrades.steps.length})`, '', 'Version changes in the order they roll: stack by stack, as deployed.', '', '| stack | component | from | to |', '|---|---|---|---|');
    append(lines, upgrades.steps.map((step) => `| ${step.stack} | ${step.component} | ${step.from} | ${step.to} |`));
    lines.push('');
  }
  if (upgrades.refusals.length > 0) {
    lines.push(`### Refused upgrade steps (${upgrades.refusals.length})`, '');
    append(lines, upgrades.refusals.map((refusal) => `- ${refusal}`));
    lines.push('', '**Refused:** EKS would reject these version changes, or nodes would run ahead of their control plane; no override applies.', '');
  }
  if (upgrades.notChecked.length > 0) {
    lines.push(`### Version checks not made (${upgrades.notChecked.length})`, '');
    append(lines, upgrades.notChecked.map((entry) => `- ${entry}`));
    lines.push('');
  }
  if (forgotten.length > 0) {
    lines.push(`### Removed from state, not destroyed (${forgotten.length})`, '', 'Terraform stops managing these objects; they keep running (and costing) in AWS.', '');
    append(lines, forgotten);
    lines.push('');
  }
  append(lines, sections);
  return {
    markdown: `${lines.join('\n').trimEnd()}\n`,
    destructive: destructive.length,
    upgradeRefusals: upgrades.refusals,
    refused: (failOnDestroy && destructive.length > 0) || upgrades.refusals.length > 0,
  };
}
