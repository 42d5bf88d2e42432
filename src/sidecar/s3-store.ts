import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { checkAwsSdk } from '../optional-dependency.js';
import type { S3Location } from '../s3/client.js';
import { isSlideKey } from '../slide/slide-key.js';
import { HttpSource } from '../source/http-source.js';
import type { RangeSource } from '../source/range-source.js';
import { s3SdkError } from '../source/s3-errors.js';
import { CachedUrl, type ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import { decodeCursor, encodeCursor, type ListPage, type ListQuery, type SlideStore } from './store.js';

const MAX_KEY_LENGTH = 1024;
/** Lifetime of the presigned URLs the sidecar reads a slide through, as `s3Source` signs them. */
const READ_URL_SECONDS = 900;

/** The AWS SDK and our S3 helpers, loaded on first use: a sidecar over a folder runs without the SDK installed. */
async function loadS3() {
  const sdk = await checkAwsSdk('The sidecar over a bucket');
  const [{ s3Client }, { s3UrlFetcher }] = await Promise.all([import('../s3/client.js'), import('../s3/s3-source.js')]);
  return { ListObjectsV2Command: sdk.ListObjectsV2Command, s3Client, s3UrlFetcher };
}

/** Slides in an S3 bucket, optionally under a prefix (WSIStreamer ignored the prefix; here it scopes every id). */
export class S3Store implements SlideStore {
  readonly description: string;
  readonly #location: S3Location & { bucket: string };
  readonly #prefix: string;
  #s3?: Promise<Awaited<ReturnType<typeof loadS3>> & { client: S3Client }>;

  constructor(location: S3Location & { bucket: string }, prefix = '') {
    this.#location = location;
    this.#prefix = prefix;
    this.description = `s3://${location.bucket}/${prefix}`;
  }

  /** One client for every request of this store, made when the first one needs it. */
  #sdk() {
    this.#s3 ??= loadS3().then((s3) => ({ ...s3, client: s3.s3Client(this.#location) }));
    return this.#s3;
  }

  #check(id: string): void {
    if (id.length === 0 || id.length > MAX_KEY_LENGTH || id.includes('\0') || !id.startsWith(this.#prefix)) {
      throw new ApiError('not_found', `No slide "${id.slice(0, 200)}".`);
    }
  }

  async list(query: ListQuery, signal?: AbortSignal): Promise<ListPage> {
    // Ids are whole keys; a requested prefix narrows the store's own prefix, never widens it.
    const wanted = query.prefix ?? '';
    const prefix = wanted.startsWith(this.#prefix) ? wanted : this.#prefix + wanted;
    const search = query.search?.toLowerCase();
    const { client, ListObjectsV2Command } = await this.#sdk();
    const slides: string[] = [];
    let startAfter = decodeCursor(query.cursor);
    // Pages of keys are filtered (slide extensions, search), so fill the answer from as many pages as it takes.
    for (;;) {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({ Bucket: this.#location.bucket, Prefix: prefix, MaxKeys: 1000, ...(startAfter ? { StartAfter: startAfter } : {}) }),
          signal ? { abortSignal: signal } : {},
        );
      } catch (cause) {
        throw s3SdkError(this.description, cause);
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key!;
        startAfter = key;
        if (!isSlideKey(key) || (search && !key.toLowerCase().includes(search))) continue;
        slides.push(key);
        if (slides.length > query.limit) return { slides: slides.slice(0, query.limit), nextCursor: encodeCursor(slides[query.limit - 1]!) };
      }
      if (!page.IsTruncated) return { slides };
    }
  }

  identity(id: string): string {
    return `s3://${this.#location.bucket}/${id}`;
  }

  source(id: string): RangeSource {
    this.#check(id);
    // What s3Source does, with the store's one client, loaded lazily through url().
    return new HttpSource(new CachedUrl(() => this.url(id, READ_URL_SECONDS)), { id: this.identity(id) });
  }

  async url(id: string, ttlSeconds: number): Promise<ExpiringUrl> {
    this.#check(id);
    const { client, s3UrlFetcher } = await this.#sdk();
    const fetched = await s3UrlFetcher({ ...this.#location, client, key: id, expiresIn: ttlSeconds })();
    return typeof fetched === 'string' ? { url: fetched } : fetched;
  }

  async check(): Promise<void> {
    await this.list({ limit: 1 });
  }
}
