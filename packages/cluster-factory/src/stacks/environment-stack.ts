import { type Construct } from 'constructs';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { ClusterAccess } from './cluster-access.js';
import { configureKubernetesProviders } from '../lib/private/kubernetes-providers.js';
import { TERRAFORM_VERSION } from '../versions.js';

/** What every stack of one environment (and region) shares. */
export interface StackSettings {
  /** Environment name, e.g. `sandbox`. */
  readonly environment: string;
  /** Prefix of stack names; unique across every app of the repository. @default environment */
  readonly stackPrefix?: string;
  readonly region: string;
  readonly accountId: string;
  /** Remote state bucket and its region. */
  readonly stateBucket: string;
  readonly stateRegion: string;
  /** First segment(s) of every state key (`state.key_prefix`). @default environment */
  readonly stateKeyPrefix?: string;
  /** Tags on every AWS resource (provider default_tags). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * A protected environment (`protect_stateful_resources`): production rules of the policy
   * pack apply, and suppressing an error rule needs `approvedBy`. @default false
   */
  readonly protected?: boolean;
}

export interface EnvironmentStackOptions {
  /**
   * AWS providers: `default` one in the settings' region; a list of regions: one aliased
   * provider per region (`aws-<region>`); `none`. @default 'default'
   */
  readonly aws?: 'default' | 'none' | readonly string[];
  /** helm and kubernetes providers for this cluster (Kubernetes-side stacks). @default none */
  readonly kubernetes?: ClusterAccess;
  /**
   * Where this stack's state lives: the S3 bucket of the settings under `stateKey`, or a
   * local file (the state bucket's own stack before migration). @default { s3: stateKey(settings, kind) }
   */
  readonly backend?: { readonly s3: string } | { readonly localPath: string };
}

/** The Terraform state key of a stack: `<key prefix, default the environment>/<region>/<stack>.tfstate`. */
export function stateKey(settings: Pick<StackSettings, 'environment' | 'region' | 'stateKeyPrefix'>, kind: string): string {
  return `${settings.stateKeyPrefix ?? settings.environment}/${settings.region}/${kind}.tfstate`;
}

/** The stack name users pass to `cdktf deploy`. */
export function stackName(settings: Pick<StackSettings, 'environment' | 'stackPrefix'>, kind: string): string {
  return `${settings.stackPrefix ?? settings.environment}-${kind}`;
}

/**
 * The base of every stack: its name, the Terraform it needs, its backend (S3 state, encrypted,
 * with S3-native locking, so cross-stack references become `terraform_remote_state` reads), and its
 * providers (AWS with the account pinned and default tags; helm and kubernetes for a
 * cluster), all assembled here once.
 */
export class EnvironmentStack extends TerraformStack {
  readonly settings: StackSettings;
  readonly kind: string;
  /** The AWS providers, in the order of EnvironmentStackOptions.aws. */
  readonly awsProviders: readonly AwsProvider[];

  constructor(scope: Construct, kind: string, settings: StackSettings, options: EnvironmentStackOptions = {}) {
    super(scope, stackName(settings, kind));
    this.settings = settings;
    this.kind = kind;
    this.addOverride('terraform.required_version', TERRAFORM_VERSION.required);
    const backend = options.backend ?? { s3: stateKey(settings, kind) };
    if ('localPath' in backend) {
      new LocalBackend(this, { path: backend.localPath });
    } else {
      new S3Backend(this, { bucket: settings.stateBucket, key: backend.s3, region: settings.stateRegion, encrypt: true });
      // cdktf 0.21's S3BackendConfig has no use_lockfile (Terraform >= 1.10 S3 locking).
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }
    if (options.kubernetes) configureKubernetesProviders(this, options.kubernetes);
    const aws = options.aws ?? 'default';
    const provider = (id: string, region: string, alias?: string) =>
      new AwsProvider(this, id, { ...(alias ? { alias } : {}), region, allowedAccountIds: [settings.accountId], defaultTags: [{ tags: { ...settings.tags } }] });
    if (aws === 'default') this.awsProviders = [provider('aws', settings.region)];
    else if (aws === 'none') this.awsProviders = [];
    else this.awsProviders = aws.map((region) => provider(`aws-${region}`, region, region));
  }
}
