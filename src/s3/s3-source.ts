import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SlideError } from '../errors.js';
import { HttpSource, type HttpSourceOptions } from '../source/http-source.js';
import { tailRequestLength } from '../tiff/tail-read.js';
import { CachedUrl, type ExpiringUrl, type UrlFetcher } from '../source/url-provider.js';
import { s3Client, type S3Location } from './client.js';

export interface S3SourceOptions extends S3Location {
  key: string;
  /** Lifetime of each presigned URL in seconds (default 15 minutes); renewed before it ends. */
  expiresIn?: number;
  http?: Omit<HttpSourceOptions, 'id'>;
}

/** `s3://bucket/key` → { bucket, key }. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new SlideError('invalid_argument', `"${uri}" is not an S3 URI of the form s3://bucket/key.`);
  return { bucket: m[1]!, key: m[2]! };
}

/**
 * Reads `s3://bucket/key` by range through presigned URLs signed here with the caller's credentials.
 * Presigned GETs carry no headers but Range, so browsers send no CORS preflight: opening from S3 costs the
 * same requests as from any HTTP server. URLs are renewed before they (or the temporary credentials
 * behind them) expire, and once more if S3 refuses one.
 */
export function s3Source(options: S3SourceOptions): HttpSource {
  const id = `s3://${options.bucket}/${options.key}`;
  return new HttpSource(new CachedUrl(s3UrlFetcher(options)), { tailLength: tailRequestLength(options.key), ...options.http, id });
}

/** Signs a GET for the object; a public bucket (credentials: null) gets its plain URL. */
export function s3UrlFetcher(options: S3SourceOptions): UrlFetcher {
  const expiresIn = options.expiresIn ?? 900;
  if (options.credentials === null && !options.client) {
    const base = options.endpoint
      ? `${options.endpoint.replace(/\/$/, '')}/${options.bucket}`
      : `https://${options.bucket}.s3.${options.region ?? 'us-east-1'}.amazonaws.com`;
    const url = `${base}/${options.key.split('/').map(encodeURIComponent).join('/')}`;
    return async () => url;
  }
  const client = s3Client(options);
  return async (): Promise<ExpiringUrl> => {
    const credentials = await client.config.credentials();
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: options.bucket, Key: options.key }), { expiresIn });
    // Temporary credentials (Cognito, STS) can end before the URL's own lifetime does.
    const expiresAt = Math.min(Date.now() + expiresIn * 1000, credentials.expiration?.getTime() ?? Infinity);
    return { url, expiresAt };
  };
}
