import type { Construct } from 'constructs';
import { join } from 'node:path';
import { TerraformOutput } from 'cdktf';
import { EnvironmentStack, stackName, stateKey, type StackSettings } from './environment-stack.js';
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
  /** The account's settings: the bucket is `stateBucket`, created in `region` (= `stateRegion`). */
  readonly settings: StackSettings;
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
export class StateBucketStack extends EnvironmentStack {
  readonly bucket: S3Bucket;
  readonly kmsKey: KmsKey;
  /** Where this stack's own state lives after the migration. */
  readonly migratedStateKey: string;

  constructor(scope: Construct, props: StateBucketStackProps) {
    const settings = props.settings;
    if (settings.region !== settings.stateRegion) {
      throw new Error(`state bucket ${settings.stateBucket}: the stack's region ${settings.region} must be the state region ${settings.stateRegion}`);
    }
    const migratedStateKey = stateKey(settings, STATE_BOOTSTRAP_KIND);
    super(scope, STATE_BOOTSTRAP_KIND, settings, {
      // Terraform runs in cdktf.out/stacks/<stack>: three levels up is the directory holding cdktf.out.
      backend: (props.ownState ?? 'local') === 'local' ? { localPath: `../../../${BOOTSTRAP_STATE_DIR}/${stackName(settings, STATE_BOOTSTRAP_KIND)}.tfstate` } : { s3: migratedStateKey },
    });
    this.migratedStateKey = migratedStateKey;
    const bucketName = settings.stateBucket;
    const region = settings.region;

    this.kmsKey = new KmsKey(this, 'key', {
      description: `Terraform state in s3://${bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${bucketName}`, targetKeyId: this.kmsKey.keyId });

    this.bucket = new S3Bucket(this, 'bucket', { bucket: bucketName, forceDestroy: false, lifecycle: { preventDestroy: true } });
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
    new S3BucketPolicy(this, 'tls-only', { bucket: this.bucket.id, policy: tlsOnlyBucketPolicy(bucketName, region) });
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
