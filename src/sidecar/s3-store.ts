import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { checkAwsSdk } from '../optional-dependency.js';
import type { S3Location } from '../s3/client.js';
import { SlideError } from '../errors.js';
import { isDicomKey, isSlideKey } from '../slide/slide-key.js';
import { HttpSource } from '../source/http-source.js';
import type { RangeSource } from '../source/range-source.js';
import { s3SdkError } from '../source/s3-errors.js';
import { CachedUrl, type ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import { type ListedSlide, SeriesKeyGrouper } from './series-keys.js';
import { decodeCursor, encodeCursor, type ListPage, type ListQuery, type SlideStore } from './store.js';

const MAX_KEY_LENGTH = 1024;
/** Lifetime of the presigned URLs the sidecar reads a slide through, as `s3Source` signs them. */
const READ_URL_SECONDS = 900;

/** A series is listed by its folder's name; every other id is an object's key, which names a slide file. */
const isSeriesId = (id: string) => !isSlideKey(id) && !isDicomKey(id);

/** The AWS SDK and our S3 helpers, loaded on first use: a sidecar over a folder runs without the SDK installed. */
async function loadS3() {
  const sdk = await checkAwsSdk('The sidecar over a bucket');
  const [{ s3Client }, { s3UrlFetcher }, { listDicomSeries }] = await Promise.all([
    import('../s3/client.js'),
    import('../s3/s3-source.js'),
    import('../s3/list-series.js'),
  ]);
  return { ListObjectsV2Command: sdk.ListObjectsV2Command, s3Client, s3UrlFetcher, listDicomSeries };
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
    const slides: ListedSlide[] = [];
    let startAfter = decodeCursor(query.cursor);
    const grouper = new SeriesKeyGrouper(prefix, startAfter);
    // Enough slides to answer, or the listing's end: then a next page exists when one more slide was found.
    const page = (found: ListedSlide[]): ListPage | undefined => {
      for (const slide of found) if (!search || slide.id.toLowerCase().includes(search)) slides.push(slide);
      if (slides.length <= query.limit) return undefined;
      return { slides: slides.slice(0, query.limit).map((s) => s.id), nextCursor: encodeCursor(slides[query.limit - 1]!.lastKey) };
    };
    // Pages of keys are filtered (slide extensions, search) and grouped (series), so fill the answer from as many pages as it takes.
    for (;;) {
      let listing: ListObjectsV2CommandOutput;
      try {
        listing = await client.send(
          new ListObjectsV2Command({ Bucket: this.#location.bucket, Prefix: prefix, MaxKeys: 1000, ...(startAfter ? { StartAfter: startAfter } : {}) }),
          signal ? { abortSignal: signal } : {},
        );
      } catch (cause) {
        throw s3SdkError(this.description, cause);
      }
      for (const object of listing.Contents ?? []) {
        startAfter = object.Key!;
        const answer = page(grouper.push(startAfter));
        if (answer) return answer;
      }
      if (!listing.IsTruncated) return page(grouper.end()) ?? { slides: slides.map((s) => s.id) };
    }
  }

  identity(id: string): string {
    return `s3://${this.#location.bucket}/${id}${isSeriesId(id) ? '/' : ''}`;
  }

  /** An object's source, or for a series (an id that names no slide file: a folder) the sources of its DICOM files. */
  source(id: string, signal?: AbortSignal): RangeSource | Promise<RangeSource[]> {
    this.#check(id);
    return isSeriesId(id) ? this.#seriesKeys(id, signal).then((keys) => keys.map((key) => this.#objectSource(key))) : this.#objectSource(id);
  }

  #objectSource(key: string): RangeSource {
    // What s3Source does, with the store's one client, loaded lazily through url().
    return new HttpSource(new CachedUrl(() => this.#signedUrl(key, READ_URL_SECONDS)), { id: this.identity(key) });
  }

  /** The keys of a series' DICOM objects, in key order; `not_found` for a prefix that is not one. */
  async #seriesKeys(id: string, signal?: AbortSignal): Promise<string[]> {
    const { client, listDicomSeries } = await this.#sdk();
    const keys = await listDicomSeries({ ...this.#location, client, prefix: `${id}/`, ...(signal ? { signal } : {}) }).catch((e: unknown) => {
      throw e instanceof SlideError && e.code === 'not_found' ? new ApiError('not_found', `No slide "${id.slice(0, 200)}".`) : e;
    });
    if (!keys.every(isDicomKey)) throw new ApiError('not_found', `No slide "${id.slice(0, 200)}": the prefix holds more than DICOM files.`);
    return keys;
  }

  async url(id: string, ttlSeconds: number): Promise<ExpiringUrl> {
    this.#check(id);
    if (isSeriesId(id)) {
      throw new ApiError(
        'unsupported_format',
        `"${id.slice(0, 200)}" is a DICOM series of several objects: it has no single URL. Read it through /slides/{id} and /tiles.`,
      );
    }
    return this.#signedUrl(id, ttlSeconds);
  }

  async urls(id: string, ttlSeconds: number): Promise<Array<ExpiringUrl & { sourceId: string }>> {
    this.#check(id);
    const keys = isSeriesId(id) ? await this.#seriesKeys(id) : [id];
    return Promise.all(keys.map(async (key) => ({ ...(await this.#signedUrl(key, ttlSeconds)), sourceId: this.identity(key) })));
  }

  async #signedUrl(id: string, ttlSeconds: number): Promise<ExpiringUrl> {
    const { client, s3UrlFetcher } = await this.#sdk();
    const fetched = await s3UrlFetcher({ ...this.#location, client, key: id, expiresIn: ttlSeconds })();
    return typeof fetched === 'string' ? { url: fetched } : fetched;
  }

  async check(): Promise<void> {
    await this.list({ limit: 1 });
  }
}
