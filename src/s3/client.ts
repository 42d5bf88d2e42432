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
  const client = new S3Client({
    region: location.region ?? 'us-east-1',
    ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
    ...(location.credentials ? { credentials: location.credentials } : {}),
    // A public bucket: requests go unsigned, as a browser's plain GET would. The SDK still asks for credentials before
    // signing, so it is given empty ones that the no-op signer never uses (else it searches its chain and fails).
    ...(location.credentials === null ? { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async <T>(request: T) => request } } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...extra,
  });
  if (location.endpoint) withoutBucketSlash(client);
  return client;
}

/**
 * Path-style bucket requests (listing) go to `/bucket/`; S3-compatible stores disagree on whether that slash is part
 * of what they sign (s3rver signs `/bucket`, and refuses the SDK's signature). AWS and MinIO answer both forms, so
 * send the one every store accepts.
 */
export function withoutBucketSlash(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (request.path && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 'withoutBucketSlash' },
  );
  return client;
}
