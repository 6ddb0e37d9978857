import { Annotations, DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { PolicyResource, PolicyRule } from './rule.js';
import { POLICY_RULES } from './rules.js';
import { suppressionFor } from './suppress.js';
import { EnvironmentStack } from '../stacks/environment-stack.js';
import type { NotCheckedRules, PolicyReport } from './report.js';
import { crdRuleCoverageOf } from './not-checked.js';

/** What the report says of the CEL rules synth could not evaluate, and who checks them. */
const CEL_NOT_CHECKED = { checks: 'CEL rules (x-kubernetes-validations) of the pinned CRD', checkedBy: 'the API server, when the object is applied' } as const;

export interface PolicyFinding {
  readonly ruleId: string;
  readonly severity: 'error' | 'warning';
  readonly checkov?: string;
  readonly stack: string;
  readonly resource: string;
  readonly message: string;
  /** 'violation' fails synth when the rule is an error; 'suppressed' carries its reason. */
  readonly status: 'violation' | 'suppressed';
  readonly reason?: string;
  readonly approvedBy?: string;
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** Whether a stack belongs to a protected environment (EnvironmentStack settings). */
function isProtected(stack: TerraformStack): boolean {
  return stack instanceof EnvironmentStack && stack.settings.protected === true;
}

function describe(stack: TerraformStack, resource: TerraformResource): PolicyResource {
  const raw = (resource.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> }).resource[resource.terraformResourceType]!;
  const body = Object.values(raw)[0] ?? {};
  return {
    type: resource.terraformResourceType,
    address: `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
    path: resource.node.path,
    config: Tokenization.resolve(body, { scope: stack, resolver: RESOLVER, preparing: false }) as Record<string, unknown>,
    raw: body,
  };
}

/**
 * Runs the rule pack over every stack, like cdk-nag: a violation of an error rule is an
 * error annotation (synth fails with the rule's message), of a warning rule a warning.
 * Suppressions sit next to the resource (suppressPolicy) and must give a reason; suppressing
 * an error rule in a protected environment also needs `approvedBy`. Every finding is kept in `findings`.
 */
export class PolicyAspect implements IAspect {
  readonly findings: PolicyFinding[] = [];
  /** Objects whose CEL rules synth could not all evaluate, in stack and resource order. */
  readonly notChecked: NotCheckedRules[] = [];
  private readonly rules: readonly PolicyRule[];

  constructor(rules: readonly PolicyRule[] = POLICY_RULES) {
    this.rules = rules;
  }

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const resources = node.node.findAll().filter((child): child is TerraformResource => child instanceof TerraformResource);
    const described = resources.map((resource) => ({ resource, view: describe(node, resource) }));
    const context = { protectedEnvironment: isProtected(node), stackResources: described.map((entry) => entry.view) };
    for (const { resource, view } of described) {
      for (const coverage of crdRuleCoverageOf(resource) ?? []) {
        if (coverage.notChecked.length === 0) continue;
        this.notChecked.push({
          stack: node.node.id,
          resource: view.address,
          object: coverage.object,
          checks: CEL_NOT_CHECKED.checks,
          rules: { total: coverage.total, evaluatedAndHeld: coverage.evaluatedAndHeld, notChecked: coverage.notCheckedRules, notApplicable: coverage.notApplicable },
          rulesNotChecked: coverage.notChecked,
          checkedBy: CEL_NOT_CHECKED.checkedBy,
        });
      }
    }
    for (const { resource, view } of described) {
      for (const rule of this.rules.filter((candidate) => candidate.resourceTypes.includes(view.type))) {
        const problem = rule.check(view, context);
        if (!problem) continue;
        const message = `[${rule.id}${rule.checkov ? ` / ${rule.checkov}` : ''}] ${rule.title}: ${problem}. Fix: ${rule.fix}.`;
        const suppression = suppressionFor(resource, rule.id);
        const base = { ruleId: rule.id, severity: rule.severity, checkov: rule.checkov, stack: node.node.id, resource: view.address, message };
        if (suppression && !(rule.severity === 'error' && context.protectedEnvironment && !suppression.approvedBy)) {
          this.findings.push({ ...base, status: 'suppressed', reason: suppression.reason, approvedBy: suppression.approvedBy });
          continue;
        }
        const note = suppression ? ` (suppressed with "${suppression.reason}", but error rules in protected environments need approvedBy)` : '';
        this.findings.push({ ...base, status: 'violation', message: `${message}${note}` });
        if (rule.severity === 'error') Annotations.of(resource).addError(`${message}${note}`);
        else Annotations.of(resource).addWarning(message);
      }
    }
  }

  /** The findings in a stable order, for policy-report.json. */
  report(): PolicyReport {
    const findings = [...this.findings].sort((a, b) => `${a.stack} ${a.resource} ${a.ruleId}`.localeCompare(`${b.stack} ${b.resource} ${b.ruleId}`));
    const count = (status: string, severity: string) => findings.filter((finding) => finding.status === status && finding.severity === severity).length;
    const notChecked = [...this.notChecked].sort((a, b) => `${a.stack} ${a.resource}`.localeCompare(`${b.stack} ${b.resource}`));
    return {
      findings,
      summary: { errors: count('violation', 'error'), warnings: count('violation', 'warning'), suppressed: findings.filter((finding) => finding.status === 'suppressed').length },
      ...(notChecked.length > 0 ? { notChecked } : {}),
    };
  }
}
