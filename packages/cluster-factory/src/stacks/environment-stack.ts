import { type Construct } from 'constructs';
import { S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';

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
  /** Tags on every AWS resource (provider default_tags). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The Terraform state key of a stack: `<env>/<region>/<stack>.tfstate`. */
export function stateKey(settings: StackSettings, kind: string): string {
  return `${settings.environment}/${settings.region}/${kind}.tfstate`;
}

/** The stack name users pass to `cdktf deploy`. */
export function stackName(settings: StackSettings, kind: string): string {
  return `${settings.stackPrefix ?? settings.environment}-${kind}`;
}

/**
 * A stack with its own state in S3: encrypted, with S3-native locking. Cross-stack
 * references between EnvironmentStacks become `terraform_remote_state` reads of this backend.
 */
export class EnvironmentStack extends TerraformStack {
  readonly settings: StackSettings;
  readonly kind: string;

  constructor(scope: Construct, kind: string, settings: StackSettings) {
    super(scope, stackName(settings, kind));
    this.settings = settings;
    this.kind = kind;
    new S3Backend(this, {
      bucket: settings.stateBucket,
      key: stateKey(settings, kind),
      region: settings.stateRegion,
      encrypt: true,
    });
    // cdktf 0.21's S3BackendConfig has no use_lockfile (Terraform >= 1.10 S3 locking).
    this.addOverride('terraform.backend.s3.use_lockfile', true);
  }
}

/** A EnvironmentStack whose resources are all AWS: it validates and plans offline. */
export class AwsEnvironmentStack extends EnvironmentStack {
  readonly provider: AwsProvider;

  constructor(scope: Construct, kind: string, settings: StackSettings) {
    super(scope, kind, settings);
    this.provider = new AwsProvider(this, 'aws', {
      region: settings.region,
      allowedAccountIds: [settings.accountId],
      defaultTags: [{ tags: { ...settings.tags } }],
    });
  }
}
