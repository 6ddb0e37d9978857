import { changedAttributes, classify, type Action, type TerraformPlan } from './plan.js';

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
}

/** What an offline review says before anything else. */
export const OFFLINE_DISCLAIMER =
  '> **Offline plan:** every stack was planned against empty state, without AWS credentials. It shows what a new environment would create; it cannot show what an existing environment would update, replace or delete.';

export interface Review {
  readonly markdown: string;
  readonly destructive: number;
  /** True when the options forbid what the plan does. */
  readonly refused: boolean;
}

const COUNTED: Action[] = ['create', 'update', 'replace', 'delete'];
const code = (text: string) => `\`${text}\``;

function describeChange(stack: string, change: NonNullable<TerraformPlan['resource_changes']>[number], action: Action): string {
  const parts = [`- ${stack}: **${action}** ${code(change.address)}`];
  if (change.action_reason) parts.push(`, reason ${code(change.action_reason)}`);
  const paths = change.change.replace_paths ?? [];
  if (paths.length > 0) parts.push(`, forced by ${paths.map((path) => code(path.join('.'))).join(', ')}`);
  return parts.join('');
}

/**
 * A Markdown review of Terraform plans: counts per stack, destructive changes first with
 * the reason Terraform gives, then every change grouped by stack and action, then output
 * changes. It prints attribute names, never values, so sensitive data cannot leak.
 */
export function renderReview(stacks: readonly StackPlan[], options: ReviewOptions): Review {
  const failOnDestroy = options.failOnDestroy ?? false;
  const lines: string[] = [`## Plan review: ${options.environment}`, ''];
  if (options.offline) lines.push(OFFLINE_DISCLAIMER, '');
  lines.push('| stack | create | update | replace | delete |', '|---|---:|---:|---:|---:|');
  const totals: Record<string, number> = { create: 0, update: 0, replace: 0, delete: 0 };
  const destructive: string[] = [];
  const sections: string[] = [];

  for (const { stack, plan } of stacks) {
    const changes = (plan.resource_changes ?? []).filter((change) => change.mode !== 'data');
    const counts: Record<string, number> = { create: 0, update: 0, replace: 0, delete: 0 };
    const byAction = new Map<Action, string[]>();
    for (const change of [...changes].sort((a, b) => a.address.localeCompare(b.address))) {
      const action = classify(change.change.actions);
      if (!COUNTED.includes(action)) continue;
      counts[action]! += 1;
      if (action === 'replace' || action === 'delete') destructive.push(describeChange(stack, change, action));
      const detail = action === 'update' ? ` (changed: ${changedAttributes(change.change).join(', ')})` : '';
      byAction.set(action, [...(byAction.get(action) ?? []), `- ${code(change.address)}${detail}`]);
    }
    for (const action of COUNTED) totals[action]! += counts[action]!;
    lines.push(`| ${stack} | ${COUNTED.map((action) => counts[action]).join(' | ')} |`);

    const section: string[] = [`### ${stack}`, ''];
    if (byAction.size === 0) section.push('No changes.', '');
    for (const action of COUNTED) {
      const entries = byAction.get(action);
      if (!entries) continue;
      section.push(`<details><summary>${entries.length} to ${action}</summary>`, '', ...entries, '', '</details>', '');
    }
    const outputs = Object.entries(plan.output_changes ?? {})
      .map(([name, change]) => [name, classify(change.actions)] as const)
      .filter(([, action]) => action !== 'no-op')
      .sort(([a], [b]) => a.localeCompare(b));
    if (outputs.length > 0) section.push('Output changes:', '', ...outputs.map(([name, action]) => `- ${action} ${code(name)}`), '');
    sections.push(section.join('\n'));
  }
  for (const { stack } of options.notPlanned ?? []) lines.push(`| ${stack} | not planned | | | |`);
  lines.push(`| **total** | ${COUNTED.map((action) => totals[action]).join(' | ')} |`, '');
  const notPlanned = options.notPlanned ?? [];
  if (notPlanned.length > 0) lines.push(`### Not planned (${notPlanned.length})`, '', ...notPlanned.map(({ stack, reason }) => `- ${stack}: ${reason}`), '');

  if (destructive.length > 0) {
    lines.push(`### Destructive changes (${destructive.length})`, '', ...destructive, '');
    if (failOnDestroy) lines.push(`**Refused:** ${options.environment} is protected (protect_stateful_resources): no deletion or replacement without an explicit override (\`--allow-destroy\`).`, '');
  } else {
    lines.push('No resource is deleted or replaced.', '');
  }
  lines.push(...sections);
  return { markdown: `${lines.join('\n').trimEnd()}\n`, destructive: destructive.length, refused: failOnDestroy && destructive.length > 0 };
}
