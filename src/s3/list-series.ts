import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SlideError } from '../errors.js';
import { s3SdkError } from '../source/s3-errors.js';
import type { HttpSource } from '../source/http-source.js';
import { s3Client, type S3Location } from './client.js';
import { type S3SourceOptions, s3Source } from './s3-source.js';

/** A series has a file per level and a few more; more keys than this under one prefix is not one slide. */
const MAX_INSTANCES = 10_000;

/**
 * The keys of a DICOM series stored under an S3 prefix (`s3://bucket/slide-17/`): every object directly under it, in
 * key order, as the files of one series to hand to `openSlide` (one source each). Paginates the listing.
 */
export async function listDicomSeries(options: S3Location & { prefix: string; signal?: AbortSignal }): Promise<string[]> {
  const client = s3Client(options);
  const prefix = options.prefix.endsWith('/') || options.prefix === '' ? options.prefix : `${options.prefix}/`;
  const keys: string[] = [];
  let cursor: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, Delimiter: '/', ...(cursor ? { ContinuationToken: cursor } : {}) }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/') && (o.Size ?? 0) > 0) keys.push(o.Key);
      cursor = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (cursor && keys.length <= MAX_INSTANCES);
  } catch (cause) {
    throw s3SdkError(`s3://${options.bucket}/${prefix}`, cause);
  }
  if (keys.length === 0)
    throw new SlideError('not_found', `s3://${options.bucket}/${prefix} holds no objects: no DICOM series there.`, {
      source: `s3://${options.bucket}/${prefix}`,
    });
  if (keys.length > MAX_INSTANCES)
    throw new SlideError('inconsistent_series', `s3://${options.bucket}/${prefix} holds over ${MAX_INSTANCES} objects, more than one slide's series.`);
  return keys.sort();
}

/**
 * The sources of the DICOM series under an S3 prefix, one per object and all signed with one client, for `openSlide`:
 * `openSlide(await s3SeriesSources({ bucket, prefix: 'slide-17/', credentials }))`.
 */
export async function s3SeriesSources(options: Omit<S3SourceOptions, 'key'> & { prefix: string; signal?: AbortSignal }): Promise<HttpSource[]> {
  const { signal, prefix, ...location } = options;
  const client = s3Client(location);
  const keys = await listDicomSeries({ ...location, client, prefix, ...(signal ? { signal } : {}) });
  // A public bucket's objects are read by their plain URLs, which s3Source gives only when it has no client to sign with.
  return keys.map((key) => s3Source({ ...location, ...(location.credentials === null ? {} : { client }), key }));
}
