import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3Client, type S3Location } from '../s3/client.js';
import { isSlideKey, s3SdkError } from '../s3/list-slides.js';
import { s3Source, s3UrlFetcher } from '../s3/s3-source.js';
import type { RangeSource } from '../source/range-source.js';
import type { ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import { decodeCursor, encodeCursor, type ListPage, type ListQuery, type SlideStore } from './store.js';

const MAX_KEY_LENGTH = 1024;

/** Slides in an S3 bucket, optionally under a prefix (WSIStreamer ignored the prefix; here it scopes every id). */
export class S3Store implements SlideStore {
  readonly description: string;
  readonly #location: S3Location & { bucket: string };
  readonly #prefix: string;
  readonly #client: S3Client;

  constructor(location: S3Location & { bucket: string }, prefix = '') {
    this.#location = location;
    this.#prefix = prefix;
    this.#client = s3Client(location);
    this.description = `s3://${location.bucket}/${prefix}`;
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
    const slides: string[] = [];
    let startAfter = decodeCursor(query.cursor);
    // Pages of keys are filtered (slide extensions, search), so fill the answer from as many pages as it takes.
    for (;;) {
      let page;
      try {
        page = await this.#client.send(
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
    return s3Source({ ...this.#location, client: this.#client, key: id });
  }

  async url(id: string, ttlSeconds: number): Promise<ExpiringUrl> {
    this.#check(id);
    const fetched = await s3UrlFetcher({ ...this.#location, client: this.#client, key: id, expiresIn: ttlSeconds })();
    return typeof fetched === 'string' ? { url: fetched } : fetched;
  }

  async check(): Promise<void> {
    await this.list({ limit: 1 });
  }
}
