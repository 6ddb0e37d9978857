import grammar from '../../reference/aws-iam/policy-grammar.json' with { type: 'json' };
import { partitionOf } from '../lib/private/aws.js';
import { quoted } from '../config/messages.js';

/**
 * IAM statements a platform team adds to a controller's role (config `iam.extra_statements`),
 * checked like the platform's own: the IAM grammar here (reference/aws-iam/policy-grammar.json),
 * wildcards by the policy pack (policy/rules.ts, IAM-001 and IAM-002), the role's inline policy
 * size by PodIdentityRole.
 */
export type ConditionValue = string | number | boolean;

export interface ExtraStatement {
  /** Statement id: ASCII letters and digits, unique within the role's policy. */
  readonly sid: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  /** `service:Action` (wildcards `*` and `?` in the action name). */
  readonly actions: readonly string[];
  /** ARNs, or `*`. */
  readonly resources: readonly string[];
  /** IAM conditions: operator -> condition key -> value(s). @default none */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, ConditionValue | readonly ConditionValue[]>>>>;
}

/** The aggregate size of a role's inline policies, whitespace not counted (AWS IAM User Guide, "IAM and AWS STS quotas"). */
export const IAM_ROLE_INLINE_POLICY_LIMIT: number = grammar.roleInlinePolicies.aggregateCharacters;

/**
 * What a value known only at apply time (a cdktf token: a queue or role ARN, a VPC id, the
 * cluster name) counts for in the size check: more than any the platform's policies hold
 * (the longest, a GovCloud SQS queue ARN of an 80-character name, is 126 characters).
 */
export const TOKEN_SIZE_BOUND = 128;

const SID = new RegExp(grammar.sid.pattern);
const DOCUMENT_CHARACTERS = new RegExp(grammar.documentCharacters.pattern, 'u');
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
const ARN = /^arn:([a-z*-]+):[a-z0-9*-]*:[a-z0-9*-]*:(\d{12}|aws|\*)?:.+$/;

/** IAM condition operators: the documented base names, with IfExists (not Null) and the set prefixes. */
export function isConditionOperator(operator: string): boolean {
  const { operators, withoutIfExists, setPrefixes } = grammar.conditionOperators;
  const prefix = setPrefixes.find((candidate) => operator.startsWith(candidate)) ?? '';
  const rest = operator.slice(prefix.length);
  const base = rest.endsWith('IfExists') ? rest.slice(0, -'IfExists'.length) : rest;
  if (!operators.includes(base)) return false;
  return base === rest || !withoutIfExists.includes(base);
}

export interface StatementProblem {
  /** Relative to the list of statements: `[1, 'actions', 0]`. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/**
 * What is wrong with a list of statements, each problem at its field: sids of IAM's alphabet
 * and unique, actions `service:Action`, resources ARNs of the region's partition or `*`,
 * documented condition operators. `*` actions pass here: the policy pack refuses them.
 */
export function statementProblems(statements: readonly ExtraStatement[], region: string, reservedSids: ReadonlyMap<string, string> = new Map()): StatementProblem[] {
  const problems: StatementProblem[] = [];
  const seen = new Map<string, number>();
  statements.forEach((statement, index) => {
    const at = (...path: Array<string | number>) => [index, ...path];
    if (!SID.test(statement.sid)) {
      problems.push({ path: at('sid'), message: `${quoted(statement.sid)} is not a statement id: use ASCII letters and digits only (IAM's Sid alphabet)` });
    } else if (seen.has(statement.sid)) {
      problems.push({ path: at('sid'), message: `${quoted(statement.sid)} is already the sid of statement [${seen.get(statement.sid)}]: statement ids must be unique within the role's policy` });
    } else if (reservedSids.has(statement.sid)) {
      problems.push({ path: at('sid'), message: `${quoted(statement.sid)} is already a statement of the platform's policy ${reservedSids.get(statement.sid)}: statement ids must be unique within the role's policy` });
    }
    if (!seen.has(statement.sid)) seen.set(statement.sid, index);
    const outside = [...JSON.stringify(statement)].find((character) => !DOCUMENT_CHARACTERS.test(character));
    if (outside) {
      const code = `U+${outside.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      problems.push({ path: at(), message: `contains "${outside}" (${code}), a character IAM does not accept in a policy document (allowed: tab, line feed, carriage return, U+0020 to U+00FF)` });
    }
    statement.actions.forEach((action, actionIndex) => {
      if (action !== '*' && !ACTION.test(action)) {
        problems.push({ path: at('actions', actionIndex), message: `${quoted(action)} is not an IAM action: write service:Action, e.g. ec2:DescribeInstances (wildcards * and ? allowed in the action name)` });
      }
    });
    statement.resources.forEach((resource, resourceIndex) => {
      if (resource === '*') return;
      const arn = ARN.exec(resource);
      if (!arn) {
        problems.push({ path: at('resources', resourceIndex), message: `${quoted(resource)} is not a resource: give an ARN (arn:partition:service:region:account:resource) or "*"` });
      } else if (arn[1] !== '*' && arn[1] !== partitionOf(region)) {
        problems.push({ path: at('resources', resourceIndex), message: `${quoted(resource)} is in partition ${arn[1]}, but region ${region} is in partition ${partitionOf(region)}` });
      }
    });
    for (const operator of Object.keys(statement.conditions ?? {})) {
      if (!isConditionOperator(operator)) {
        problems.push({
          path: at('conditions', operator),
          message: `${quoted(operator)} is not an IAM condition operator (allowed: ${grammar.conditionOperators.operators.join(', ')}; with the suffix IfExists except Null; with the prefix ForAllValues: or ForAnyValue:)`,
        });
      }
    }
  });
  return problems;
}

/** A statement as IAM JSON, keys in IAM's usual order. */
export function policyStatement(statement: ExtraStatement): Record<string, unknown> {
  return {
    Sid: statement.sid,
    Effect: statement.effect ?? 'Allow',
    Action: [...statement.actions],
    Resource: [...statement.resources],
    ...(statement.conditions && Object.keys(statement.conditions).length > 0 ? { Condition: statement.conditions } : {}),
  };
}

/** A cdktf token inside JSON text. */
const TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

/** A policy document's size as IAM counts it: whitespace left out, each token counted as TOKEN_SIZE_BOUND. */
export function policySize(document: object): number {
  return JSON.stringify(document).replace(TOKEN, 'x'.repeat(TOKEN_SIZE_BOUND)).replace(/\s/g, '').length;
}
