import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isDicomKey, isSlideKey } from '../slide/slide-key.js';
import { s3SdkError } from '../source/s3-errors.js';
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
  /**
   * DICOM files (`.dcm`) directly under `prefix` on this page: the instances of a series when the prefix holds one
   * (open them together with `s3SeriesSources`).
   */
  dicom: Array<{ key: string; size: number }>;
  nextCursor?: string;
}

export { isSlideKey, SLIDE_EXTENSIONS } from '../slide/slide-key.js';

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
      dicom: (page.Contents ?? []).filter((o) => o.Key && isDicomKey(o.Key)).map((o) => ({ key: o.Key!, size: o.Size ?? 0 })),
      folders: (page.CommonPrefixes ?? []).map((p) => p.Prefix!).filter(Boolean),
      ...(page.IsTruncated && page.NextContinuationToken ? { nextCursor: page.NextContinuationToken } : {}),
    };
  } catch (cause) {
    throw s3SdkError(`s3://${options.bucket}/${options.prefix ?? ''}`, cause);
  }
}
