import { S3Backend, TerraformResource, TerraformStack, Token, Tokenization, type IResolvable } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EnvironmentStack } from '../stacks/environment-stack.js';

/**
 * Names AWS lets exist once per scope: a second stack that creates one fails at apply
 * ("already exists", "BucketAlreadyOwnedByYou", "InvalidInput ... has been taken"), or two
 * environments write one state file. Two environments in one account meet here, so every
 * app (and root main.ts, which synthesizes all of them together) checks them before writing.
 *
 * Scopes, from the AWS docs of each service: S3 bucket names are unique in the partition; IAM
 * names (roles, policies, instance profiles, service-linked roles) in the account; KMS aliases,
 * log groups, EKS clusters, launch templates, SQS queues, EventBridge rules on the default bus
 * and Secrets Manager secrets in the account and region.
 */
interface UniqueName {
  /** What users call it, e.g. `IAM role`. */
  readonly label: string;
  readonly scope: 'partition' | 'account' | 'region';
  /** The configuration attributes that make the name (joined with `/`). */
  readonly attributes: readonly string[];
  /** What to change; default: rename one environment (the names derive from it). */
  readonly remedy?: string;
}

const RENAME = 'their names derive from the environment names: rename one of the environments';

export const UNIQUE_NAMES: Readonly<Record<string, UniqueName>> = {
  aws_s3_bucket: {
    label: 'S3 bucket',
    scope: 'partition',
    attributes: ['bucket'],
    remedy: 'one environment creates the state bucket; the others set state.bootstrap: existing (docs/STATE_BOOTSTRAP.md)',
  },
  aws_iam_role: { label: 'IAM role', scope: 'account', attributes: ['name'] },
  aws_iam_policy: { label: 'IAM policy', scope: 'account', attributes: ['name'] },
  aws_iam_instance_profile: { label: 'IAM instance profile', scope: 'account', attributes: ['name'] },
  aws_iam_service_linked_role: {
    label: 'IAM service-linked role',
    scope: 'account',
    attributes: ['aws_service_name', 'custom_suffix'],
    remedy: 'an account has one; set karpenter.create_spot_service_linked_role: true in one environment of the account only (docs/KARPENTER.md)',
  },
  aws_kms_alias: {
    label: 'KMS alias',
    scope: 'region',
    attributes: ['name'],
    remedy: "names derive from the environment name or, for the state bucket's key, from the bucket: rename one environment, or let only one create the bucket",
  },
  aws_cloudwatch_log_group: { label: 'CloudWatch log group', scope: 'region', attributes: ['name'] },
  aws_eks_cluster: { label: 'EKS cluster', scope: 'region', attributes: ['name'] },
  aws_launch_template: { label: 'launch template', scope: 'region', attributes: ['name'] },
  aws_sqs_queue: { label: 'SQS queue', scope: 'region', attributes: ['name'] },
  aws_cloudwatch_event_rule: { label: 'EventBridge rule', scope: 'region', attributes: ['event_bus_name', 'name'] },
  aws_secretsmanager_secret: { label: 'Secrets Manager secret', scope: 'region', attributes: ['name'] },
};

/** One name a stack claims: a resource's, or its state file's. */
export interface ClaimedName {
  /** e.g. `IAM role "sandbox-node" in account 111111111111`. */
  readonly what: string;
  readonly stack: string;
  readonly environment: string;
  readonly remedy: string;
}

const TOKEN = /\$\{TfToken\[[^\]]+\]\}/g;

/** The config of a resource as synthesized (snake_case attributes, tokens unresolved). */
function configOf(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
  return Object.values(json.resource[resource.terraformResourceType] ?? {})[0] ?? {};
}

/**
 * A string attribute as a literal: tokens that reference another resource's attribute (the
 * cluster name passed between stacks) are replaced by that attribute's literal input.
 * Undefined when a part is only known at apply time.
 */
function literal(value: unknown, resources: ReadonlyMap<string, TerraformResource>, depth = 0): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!Token.isUnresolved(value)) return value;
  if (depth > 4) return undefined;
  const tokens = Tokenization.reverseString(value).tokens;
  const parts = value.split(TOKEN);
  if (parts.length !== tokens.length + 1) return undefined;
  let out = parts[0]!;
  for (const [index, token] of tokens.entries()) {
    const resolved = referencedLiteral(token, resources, depth);
    if (resolved === undefined) return undefined;
    out += resolved + parts[index + 1]!;
  }
  return out;
}

/** A resource's key in the map below: its stack and the `<type>.<logical id>` references name it by. */
const resourceKey = (stack: TerraformStack, address: string) => `${stack.node.path}|${address}`;

function referencedLiteral(token: IResolvable, resources: ReadonlyMap<string, TerraformResource>, depth: number): string | undefined {
  const { identifier, originStack } = token as { identifier?: unknown; originStack?: unknown };
  if (typeof identifier !== 'string' || !(originStack instanceof TerraformStack)) return undefined;
  const [type, id, attribute, ...rest] = identifier.split('.');
  if (!type || !id || !attribute || rest.length > 0) return undefined;
  const target = resources.get(resourceKey(originStack, `${type}.${id}`));
  return target ? literal(configOf(target)[attribute], resources, depth + 1) : undefined;
}

/** Every name the stacks under `root` claim in their account (and region), with the stack that claims it. */
export function claimedNames(root: IConstruct): ClaimedName[] {
  const stacks = root.node.findAll().filter((construct): construct is EnvironmentStack => construct instanceof EnvironmentStack);
  // Every resource by its stack and the `<type>.<logical id>` references name it by.
  const resources = new Map<string, TerraformResource>();
  for (const stack of stacks) {
    for (const construct of stack.node.findAll()) {
      if (construct instanceof TerraformResource) resources.set(resourceKey(stack, `${construct.terraformResourceType}.${stack.getLogicalId(construct)}`), construct);
    }
  }
  const claims: ClaimedName[] = [];
  for (const stack of stacks) {
    const { accountId, environment } = stack.settings;
    const claim = (what: string, remedy: string) => claims.push({ what, stack: stack.node.id, environment, remedy });
    const backend = stack.node.findAll().find((construct): construct is S3Backend => construct instanceof S3Backend);
    const s3 = (backend?.toTerraform() as { terraform?: { backend?: { s3?: { bucket?: string; key?: string } } } } | undefined)?.terraform?.backend?.s3;
    if (s3?.bucket && s3.key) claim(`Terraform state s3://${s3.bucket}/${s3.key}`, 'environments sharing a bucket need different state.key_prefix values (the default is the environment name)');
    for (const construct of stack.node.findAll()) {
      if (!(construct instanceof TerraformResource)) continue;
      const unique = UNIQUE_NAMES[construct.terraformResourceType];
      if (!unique) continue;
      const config = configOf(construct);
      const values = unique.attributes.filter((attribute) => config[attribute] !== undefined).map((attribute) => literal(config[attribute], resources));
      if (values.length === 0 || values.some((value) => value === undefined)) continue;
      const region = (construct.provider as AwsProvider | undefined)?.region ?? stack.awsProviders.find((provider) => !provider.alias)?.region ?? stack.settings.region;
      const where = unique.scope === 'partition' ? '' : unique.scope === 'account' ? ` in account ${accountId}` : ` in account ${accountId}, ${region}`;
      claim(`${unique.label} "${values.join('/')}"${where}`, unique.remedy ?? RENAME);
    }
  }
  return claims;
}

/**
 * Every name two stacks would both create, one message each, naming both stacks and their
 * environments and what to change. Empty when every name is claimed once.
 */
export function sharedAccountResourceProblems(root: IConstruct): string[] {
  const byName = new Map<string, ClaimedName[]>();
  for (const claim of claimedNames(root)) byName.set(claim.what, [...(byName.get(claim.what) ?? []), claim]);
  return [...byName.values()]
    .filter((claims) => claims.length > 1)
    .map((claims) => `${claims[0]!.what} would be created by ${claims.length} stacks: ${claims.map((claim) => `${claim.stack} (environment ${claim.environment})`).join(' and ')}; ${claims[0]!.remedy}`);
}

/** Thrown before anything is written when two stacks would create the same account resource. */
export class SharedAccountResourceError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'SharedAccountResourceError';
  }
}

/** Throws SharedAccountResourceError listing every name two stacks under `root` would both create. */
export function refuseSharedAccountResources(root: IConstruct): void {
  const problems = sharedAccountResourceProblems(root);
  if (problems.length > 0) throw new SharedAccountResourceError(problems);
}
