import { Token } from 'cdktf';
import type { PolicyResource, PolicyRule } from './rule.js';
import { CONTROL_PLANE_LOG_TYPES } from '../constructs/eks-control-plane.js';
import { calendarVersions, eksRelease } from '../lifecycle/eks-calendar.js';
import { policyDocumentOf } from '../lib/private/aws.js';

const asList = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : value === undefined || value === null ? [] : [value as T]);
const first = (value: unknown): Record<string, unknown> => (asList<Record<string, unknown>>(value)[0] ?? {});
/** Resources of a type whose `bucket` argument refers to this bucket. */
const companions = (bucket: PolicyResource, stack: readonly PolicyResource[], type: string) =>
  stack.filter((other) => other.type === type && typeof other.config.bucket === 'string' && (other.config.bucket as string).includes(`${bucket.address}.`));

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  Condition?: unknown;
}
const statements = (value: unknown): Statement[] => {
  const document = policyDocumentOf(value) as { Statement?: Statement | Statement[] } | undefined;
  return asList<Statement>(document?.Statement);
};
const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z0-9]*$/;

export const POLICY_RULES: readonly PolicyRule[] = [
  {
    id: 'EKS-001',
    severity: 'error',
    checkov: 'CKV_AWS_37',
    title: 'EKS control-plane logging is enabled for every log type',
    fix: `set enabled_cluster_log_types to ${CONTROL_PLANE_LOG_TYPES.join(', ')}`,
    resourceTypes: ['aws_eks_cluster'],
    check: ({ config }) => {
      const missing = CONTROL_PLANE_LOG_TYPES.filter((type) => !asList<string>(config.enabled_cluster_log_types).includes(type));
      return missing.length > 0 ? `log types not enabled: ${missing.join(', ')}` : undefined;
    },
  },
  {
    id: 'EKS-002',
    severity: 'error',
    checkov: 'CKV_AWS_38',
    title: 'The public API endpoint is not open to 0.0.0.0/0',
    fix: 'list your ranges in endpoint_access.public_cidrs, or turn the public endpoint off',
    resourceTypes: ['aws_eks_cluster'],
    check: ({ config }) => {
      const vpc = first(config.vpc_config);
      if (vpc.endpoint_public_access !== true) return undefined;
      const cidrs = asList<string>(vpc.public_access_cidrs);
      return cidrs.length === 0 || cidrs.includes('0.0.0.0/0') ? 'the public endpoint accepts 0.0.0.0/0' : undefined;
    },
  },
  {
    id: 'EKS-003',
    severity: 'error',
    checkov: 'CKV_AWS_39',
    title: 'The public API endpoint is disabled in protected environments',
    fix: 'set endpoint_access.public: false and reach the API through the VPC',
    resourceTypes: ['aws_eks_cluster'],
    check: ({ config }, { protectedEnvironment }) =>
      protectedEnvironment && first(config.vpc_config).endpoint_public_access === true ? 'a protected environment (protect_stateful_resources) exposes a public endpoint' : undefined,
  },
  {
    id: 'EKS-004',
    severity: 'error',
    checkov: 'CKV_AWS_58',
    title: 'Kubernetes secrets are envelope-encrypted with KMS',
    fix: 'give the cluster an encryption_config for "secrets" with a KMS key',
    resourceTypes: ['aws_eks_cluster'],
    check: ({ config }) => (asList<Record<string, unknown>>(config.encryption_config).some((entry) => asList<string>(entry.resources).includes('secrets')) ? undefined : 'secrets are not encrypted with KMS'),
  },
  {
    id: 'EKS-005',
    severity: 'error',
    checkov: 'CKV_AWS_339',
    title: 'The Kubernetes version is one EKS releases',
    fix: `use a version of the EKS calendar (${calendarVersions().join(', ')}); which of them EKS offers on the day is checked with the config (docs/UPGRADES.md)`,
    resourceTypes: ['aws_eks_cluster'],
    check: ({ config }) => (typeof config.version === 'string' && eksRelease(config.version) ? undefined : `version ${String(config.version)} is not in the EKS calendar`),
  },
  {
    id: 'EKS-006',
    severity: 'error',
    title: 'The EKS upgrade policy is stated',
    fix: 'set upgrade_policy.support_type (STANDARD or EXTENDED); left out, AWS applies EXTENDED silently',
    resourceTypes: ['aws_eks_cluster'],
    check: ({ config }) => (first(config.upgrade_policy).support_type ? undefined : 'no upgrade_policy.support_type'),
  },
  {
    id: 'EKS-007',
    severity: 'error',
    title: 'Every EKS add-on pins its version',
    fix: 'set addon_version (src/lifecycle/eks-addons.ts pins one per Kubernetes minor); left out, EKS installs its default of the day',
    resourceTypes: ['aws_eks_addon'],
    check: ({ config }) => (config.addon_version ? undefined : `add-on ${String(config.addon_name)} has no addon_version`),
  },
  {
    id: 'NODE-001',
    severity: 'error',
    checkov: 'CKV_AWS_100',
    title: 'Node groups allow no SSH from anywhere',
    fix: 'remove remote_access, or restrict it with source_security_group_ids (prefer SSM Session Manager)',
    resourceTypes: ['aws_eks_node_group'],
    check: ({ config }) => {
      const remote = asList<Record<string, unknown>>(config.remote_access)[0];
      return remote && asList(remote.source_security_group_ids).length === 0 ? 'remote_access opens SSH to any address' : undefined;
    },
  },
  {
    id: 'NODE-002',
    severity: 'error',
    checkov: 'CKV_AWS_24',
    title: 'No security group admits SSH from 0.0.0.0/0',
    fix: 'restrict the source range, or use SSM Session Manager',
    resourceTypes: ['aws_vpc_security_group_ingress_rule'],
    check: ({ config }) => {
      if (config.cidr_ipv4 !== '0.0.0.0/0') return undefined;
      const all = config.ip_protocol === '-1';
      const from = Number(config.from_port);
      const to = Number(config.to_port);
      return all || (from <= 22 && to >= 22) ? 'SSH is open to 0.0.0.0/0' : undefined;
    },
  },
  {
    id: 'NODE-003',
    severity: 'error',
    title: 'Launch templates require IMDSv2',
    fix: 'set metadata_options.http_tokens = "required" (hop limit 1 keeps pods away from node credentials)',
    resourceTypes: ['aws_launch_template'],
    check: ({ config }) => (first(config.metadata_options).http_tokens === 'required' ? undefined : 'IMDSv1 is allowed'),
  },
  {
    id: 'NODE-004',
    severity: 'error',
    title: 'Managed node groups pin their Kubernetes version',
    fix: 'set version to the cluster\'s Kubernetes version; left out, nodes stay on the old version after a control-plane upgrade',
    resourceTypes: ['aws_eks_node_group'],
    check: ({ config }) => (config.version ? undefined : 'no version'),
  },
  {
    id: 'NET-001',
    severity: 'warning',
    checkov: 'CKV_AWS_382',
    title: 'Security groups do not allow all egress to 0.0.0.0/0',
    fix: 'limit egress to the ports and ranges needed, or use VPC endpoints',
    resourceTypes: ['aws_vpc_security_group_egress_rule'],
    check: ({ config }) => (config.cidr_ipv4 === '0.0.0.0/0' && config.ip_protocol === '-1' ? 'all traffic may leave to 0.0.0.0/0' : undefined),
  },
  {
    id: 'KMS-001',
    severity: 'error',
    checkov: 'CKV_AWS_7',
    title: 'KMS keys rotate',
    fix: 'set enable_key_rotation = true',
    resourceTypes: ['aws_kms_key'],
    check: ({ config }) => (config.enable_key_rotation === true ? undefined : 'key rotation is off'),
  },
  {
    id: 'S3-001',
    severity: 'error',
    checkov: 'CKV_AWS_19',
    title: 'Buckets are encrypted at rest',
    fix: 'add an aws_s3_bucket_server_side_encryption_configuration for the bucket',
    resourceTypes: ['aws_s3_bucket'],
    check: (resource, { stackResources }) => (companions(resource, stackResources, 'aws_s3_bucket_server_side_encryption_configuration').length > 0 ? undefined : 'no server-side encryption configuration'),
  },
  {
    id: 'S3-002',
    severity: 'error',
    checkov: 'CKV_AWS_145',
    title: 'Buckets are encrypted with KMS',
    fix: 'use sse_algorithm aws:kms with a customer-managed key',
    resourceTypes: ['aws_s3_bucket_server_side_encryption_configuration'],
    check: ({ config }) => (asList<Record<string, unknown>>(config.rule).some((rule) => first(rule.apply_server_side_encryption_by_default).sse_algorithm === 'aws:kms') ? undefined : 'not encrypted with KMS'),
  },
  {
    id: 'S3-003',
    severity: 'error',
    checkov: 'CKV_AWS_21',
    title: 'Buckets are versioned',
    fix: 'add an aws_s3_bucket_versioning with status Enabled',
    resourceTypes: ['aws_s3_bucket'],
    check: (resource, { stackResources }) =>
      companions(resource, stackResources, 'aws_s3_bucket_versioning').some((versioning) => first(versioning.config.versioning_configuration).status === 'Enabled') ? undefined : 'versioning is not enabled',
  },
  {
    id: 'S3-004',
    severity: 'error',
    checkov: 'CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56',
    title: 'Buckets block every form of public access',
    fix: 'add an aws_s3_bucket_public_access_block with all four flags true',
    resourceTypes: ['aws_s3_bucket'],
    check: (resource, { stackResources }) => {
      const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const block = companions(resource, stackResources, 'aws_s3_bucket_public_access_block')[0];
      const missing = flags.filter((flag) => block?.config[flag] !== true);
      return missing.length > 0 ? `public access not blocked: ${missing.join(', ')}` : undefined;
    },
  },
  {
    id: 'IAM-001',
    severity: 'error',
    checkov: 'CKV_AWS_62, CKV_AWS_63',
    title: 'No IAM policy grants "*" actions (full admin)',
    fix: 'list the actions the principal needs',
    resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
    check: ({ raw }) => {
      // "*" and service:* grant every action of every (or one) service; Allow with NotAction grants all but a few.
      const offending = statements(raw.policy).flatMap((statement, index) => {
        if (statement.Effect !== 'Allow') return [];
        const name = statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`;
        const on = asList<string>(statement.Resource).map((resource) => JSON.stringify(resource)).join(', ');
        if (statement.NotAction !== undefined) return [`${name} allows every action but ${asList<string>(statement.NotAction).join(', ')} (NotAction) on ${on}`];
        const wildcards = asList<string>(statement.Action).filter((action) => action === '*' || action.endsWith(':*'));
        return wildcards.length > 0 ? [`${name} allows ${wildcards.map((action) => JSON.stringify(action)).join(', ')} on ${on}`] : [];
      });
      return offending.length > 0 ? offending.join('; ') : undefined;
    },
  },
  {
    id: 'IAM-002',
    severity: 'error',
    checkov: 'CKV_AWS_355, CKV_AWS_290',
    title: 'Write actions are not granted on "*" without a condition',
    fix: 'scope Resource to ARNs, or add a Condition (tags, region) to the statement',
    resourceTypes: ['aws_iam_role_policy', 'aws_iam_policy'],
    check: ({ raw }) => {
      const offending = statements(raw.policy).filter(
        (statement) =>
          statement.Effect === 'Allow' &&
          asList<string>(statement.Resource).includes('*') &&
          !statement.Condition &&
          asList<string>(statement.Action).some((action) => !READ_ONLY.test(action) && !Token.isUnresolved(action)),
      );
      return offending.length > 0 ? `write actions on "*": ${offending.flatMap((statement) => asList<string>(statement.Action).filter((action) => !READ_ONLY.test(action))).join(', ')}` : undefined;
    },
  },
];
