/**
 * The CORS rule a bucket (or any server) needs for the browser to read slides by range from another origin:
 * GET/HEAD with the Range header, exposing the headers the reader checks (size, version).
 * The shape is S3's `put-bucket-cors` JSON.
 */
export function corsConfiguration(origins: readonly string[] = ['*']): { CORSRules: object[] } {
  return {
    CORSRules: [
      {
        AllowedOrigins: [...origins],
        AllowedMethods: ['GET', 'HEAD'],
        AllowedHeaders: [
          'Range',
          'Authorization',
          'x-amz-date',
          'x-amz-content-sha256',
          'x-amz-security-token',
          'x-amz-user-agent',
          'amz-sdk-invocation-id',
          'amz-sdk-request',
        ],
        ExposeHeaders: ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges'],
        MaxAgeSeconds: 3600,
      },
    ],
  };
}

export function corsAdvice(origin: string | undefined): string {
  return `Add this CORS configuration to the bucket (aws s3api put-bucket-cors --bucket BUCKET --cors-configuration '…'): ${JSON.stringify(corsConfiguration(origin ? [origin] : ['*']))}`;
}
