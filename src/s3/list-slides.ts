import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SlideError } from '../errors.js';
import { s3Client, type S3Location } from './client.js';

export interface ListSlidesOptions extends S3Location {
  prefix?: string;
  /** Keys per page (S3 caps it at 1000). */
  pageSize?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  signal?: AbortSignal;
}

export interface SlideListing {
  slides: Array<{ key: string; size: number; lastModified?: Date; etag?: string }>;
  /** Sub-folders (common prefixes) directly under `prefix`, for a browser that walks folders. */
  folders: string[];
  nextCursor?: string;
}

/** Extensions of the slides wsi-stream reads. */
export const SLIDE_EXTENSIONS = ['.svs', '.tif', '.tiff'];

export function isSlideKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SLIDE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** One page of a bucket listing: slides under `prefix` and its sub-folders (ListObjectsV2 with delimiter "/"). */
export async function listSlides(options: ListSlidesOptions): Promise<SlideListing> {
  const client = s3Client(options);
  const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 100));
  try {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: options.bucket,
        Prefix: options.prefix ?? '',
        Delimiter: '/',
        MaxKeys: pageSize,
        ...(options.cursor ? { ContinuationToken: options.cursor } : {}),
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
    return {
      slides: (page.Contents ?? [])
        .filter((o) => o.Key && isSlideKey(o.Key))
        .map((o) => ({ key: o.Key!, size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}), ...(o.ETag ? { etag: o.ETag } : {}) })),
      folders: (page.CommonPrefixes ?? []).map((p) => p.Prefix!).filter(Boolean),
      ...(page.IsTruncated && page.NextContinuationToken ? { nextCursor: page.NextContinuationToken } : {}),
    };
  } catch (cause) {
    throw s3SdkError(`s3://${options.bucket}/${options.prefix ?? ''}`, cause);
  }
}

/** The SDK's errors as SlideErrors with the codes users act on. */
export function s3SdkError(id: string, cause: unknown): SlideError {
  const e = cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  if (name === 'AbortError') return new SlideError('aborted', 'The listing was aborted.', { cause, source: id });
  if (name === 'NoSuchBucket' || status === 404) return new SlideError('not_found', `${id}: no such bucket. Check the bucket name and endpoint.`, { cause, source: id });
  if (name === 'ExpiredToken' || /expired/i.test(e.message ?? '')) return new SlideError('credentials_expired', `${id}: the credentials have expired. Sign in again.`, { cause, source: id });
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) return new SlideError('wrong_region', `${id}: the bucket is in another region. Set its region.`, { cause, source: id });
  if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) {
    return new SlideError('access_denied', `${id}: access denied (${name}). The credentials lack s3:ListBucket on this bucket, or are wrong.`, { cause, source: id });
  }
  if (name === 'TypeError' || /fetch|network/i.test(e.message ?? '')) {
    return new SlideError('network', `${id}: the bucket could not be reached: the network failed, or (in a browser) the bucket has no CORS rule for this page.`, { cause, source: id });
  }
  return new SlideError(status ? `http_${status}` : 'network', `${id}: ${name || 'error'}: ${e.message ?? String(cause)}`, { cause, source: id });
}
