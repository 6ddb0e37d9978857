import type { Construct } from 'constructs';
import { join } from 'node:path';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { partitionOf } from '../lib/private/aws.js';

export interface StateBucketStackProps {
  /** Prefix of the stack name (the environment). */
  readonly environment: string;
  readonly bucket: string;
  readonly region: string;
  readonly accountId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Days a replaced state version is kept. @default 90 */
  readonly noncurrentVersionDays?: number;
  /**
   * Where this stack keeps its own state: `local` in BOOTSTRAP_STATE_DIR beside cdktf.out
   * (the bucket does not exist yet), `migrated` under its own key in the bucket it created.
   * @default 'local'
   */
  readonly ownState?: 'local' | 'migrated';
}

/** The stack that creates the bucket every other stack keeps its state in. */
export const STATE_BOOTSTRAP_KIND = 'state';

/**
 * Directory beside cdktf.out (e.g. apps/prod/bootstrap-state) that holds the state stack's
 * local state until it is migrated: every synth replaces cdktf.out, never this directory.
 */
export const BOOTSTRAP_STATE_DIR = 'bootstrap-state';

/** The local state file of a state stack before migration, given the app's cdktf.out. */
export function bootstrapStatePath(outdir: string, stackName: string): string {
  return join(outdir, '..', BOOTSTRAP_STATE_DIR, `${stackName}.tfstate`);
}

/** A TLS-only policy: any request over plain HTTP is denied, whoever makes it. */
export function tlsOnlyBucketPolicy(bucket: string, region: string): string {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ],
  });
}

/**
 * The remote-state bucket of one account: versioned, SSE-KMS with a rotating key, all four
 * public-access blocks, TLS only, old versions expired, and prevent_destroy on bucket and
 * key. It starts with local state outside cdktf.out (the bucket does not exist yet); once
 * that state is pushed to `migratedStateKey` (docs/STATE_BOOTSTRAP.md), `ownState: 'migrated'`
 * makes the stack use it.
 */
export class StateBucketStack extends TerraformStack {
  readonly bucket: S3Bucket;
  readonly kmsKey: KmsKey;
  /** Where this stack's own state lives after the migration. */
  readonly migratedStateKey: string;
  readonly environment: string;

  constructor(scope: Construct, props: StateBucketStackProps) {
    super(scope, `${props.environment}-${STATE_BOOTSTRAP_KIND}`);
    this.environment = props.environment;
    this.migratedStateKey = `${props.environment}/${props.region}/${STATE_BOOTSTRAP_KIND}.tfstate`;
    if ((props.ownState ?? 'local') === 'local') {
      // Terraform runs in cdktf.out/stacks/<stack>: three levels up is the directory holding cdktf.out.
      new LocalBackend(this, { path: `../../../${BOOTSTRAP_STATE_DIR}/${this.node.id}.tfstate` });
    } else {
      new S3Backend(this, { bucket: props.bucket, key: this.migratedStateKey, region: props.region, encrypt: true });
      // cdktf 0.21's S3BackendConfig has no use_lockfile (Terraform >= 1.10 S3 locking).
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }
    new AwsProvider(this, 'aws', { region: props.region, allowedAccountIds: [props.accountId], defaultTags: [{ tags: { ...props.tags } }] });

    this.kmsKey = new KmsKey(this, 'key', {
      description: `Terraform state in s3://${props.bucket}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${props.bucket}`, targetKeyId: this.kmsKey.keyId });

    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucket, forceDestroy: false, lifecycle: { preventDestroy: true } });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.kmsKey.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketPolicy(this, 'tls-only', { bucket: this.bucket.id, policy: tlsOnlyBucketPolicy(props.bucket, props.region) });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    new TerraformOutput(this, 'bucket_name', { value: this.bucket.bucket });
    new TerraformOutput(this, 'kms_key_arn', { value: this.kmsKey.arn });
    new TerraformOutput(this, 'migrated_state_key', { value: this.migratedStateKey });
  }
}
