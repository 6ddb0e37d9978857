import { describe, expect, test } from 'vitest';
import { Testing } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { resolve } from 'node:path';
import { StateBucketStack, bootstrapStatePath, tlsOnlyBucketPolicy } from '../src/stacks/state-bucket-stack.js';

describe('StateBucketStack', () => {
  const stack = new StateBucketStack(Testing.app(), { settings: { environment: 'prod', region: 'us-east-1', accountId: '222222222222', stateBucket: 'acme-tfstate', stateRegion: 'us-east-1', tags: {} } });
  const synth = Testing.synth(stack);

  test('local state first, beside cdktf.out (a synth replaces cdktf.out, never bootstrap-state/)', () => {
    expect(JSON.parse(synth).terraform.backend).toEqual({ local: { path: '../../../bootstrap-state/prod-state.tfstate' } });
    expect(stack.migratedStateKey).toBe('prod/us-east-1/state.tfstate');
    // Terraform runs in <outdir>/stacks/<stack>; the path resolves to bootstrapStatePath().
    expect(resolve('/repo/apps/prod/cdktf.out/stacks/prod-state', '../../../bootstrap-state/prod-state.tfstate')).toBe(bootstrapStatePath('/repo/apps/prod/cdktf.out', 'prod-state'));
    expect(bootstrapStatePath('/repo/apps/prod/cdktf.out', 'prod-state')).toBe('/repo/apps/prod/bootstrap-state/prod-state.tfstate');
  });

  test('once migrated: its own key in the bucket it created, encrypted, S3-native locking', () => {
    const migrated = new StateBucketStack(Testing.app(), { settings: { environment: 'prod', region: 'us-east-1', accountId: '222222222222', stateBucket: 'acme-tfstate', stateRegion: 'us-east-1', tags: {} }, ownState: 'migrated' });
    expect(JSON.parse(Testing.synth(migrated)).terraform.backend).toEqual({
      s3: { bucket: 'acme-tfstate', key: 'prod/us-east-1/state.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true },
    });
  });

  test('bucket and key cannot be destroyed by a plan', () => {
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: 'acme-tfstate', force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
  });

  test('versioned, SSE-KMS, all four public access blocks, TLS only, old versions expire', () => {
    expect(synth).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
    expect(synth).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true }],
    });
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [{ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 90 }], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }],
    });
    expect(synth).toHaveResourceWithProperties(S3BucketPolicy, { policy: tlsOnlyBucketPolicy('acme-tfstate', 'us-east-1') });
    expect(JSON.parse(tlsOnlyBucketPolicy('acme-tfstate', 'us-east-1'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-tfstate', 'arn:aws:s3:::acme-tfstate/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });
});
