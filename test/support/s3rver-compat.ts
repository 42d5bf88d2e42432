import type { S3Client } from '@aws-sdk/client-s3';

/**
 * s3rver signs bucket-level paths without the trailing slash the SDK sends, so ListObjectsV2 and
 * CreateBucket fail its signature check; strip it. For tests against s3rver only (see TOOLCHAIN.md).
 */
export function s3rverCompatible(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (request.path && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 'stripBucketSlash' },
  );
  return client;
}
