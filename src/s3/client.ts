import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export interface S3Location {
  bucket: string;
  /** AWS region of the bucket (default us-east-1). */
  region?: string;
  /** An S3-compatible endpoint (MinIO, Ceph, local test servers); path-style addressing is used with it. */
  endpoint?: string;
  /**
   * Static credentials (development), a provider of temporary ones (Cognito: `fromCognitoIdentityPool`),
   * or `null` for a public bucket (no signing). Default: the SDK's chain (environment, profile) in Node.
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | null;
  /** Your own client, configured as you like; the fields above are then ignored. */
  client?: S3Client;
}

/** A client for the location, or the one the caller gave. Checksums only when required: S3-compatible servers differ. */
export function s3Client(location: S3Location, extra: Partial<S3ClientConfig> = {}): S3Client {
  if (location.client) return location.client;
  return new S3Client({
    region: location.region ?? 'us-east-1',
    ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
    ...(location.credentials ? { credentials: location.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...extra,
  });
}
