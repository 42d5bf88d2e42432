import { SlideError } from '../errors.js';
import { BlobSource } from '../source/blob-source.js';
import { BlockCache, type BlockCacheOptions } from '../source/block-cache.js';
import { HeldBytesFirst } from '../source/held-bytes-first.js';
import { CoalescingSource, type CoalescingOptions } from '../source/coalescing-source.js';
import { HttpSource, type HttpSourceOptions } from '../source/http-source.js';
import { MetricsSource } from '../source/metrics-source.js';
import { PersistentCache, type PersistentCacheOptions } from '../source/persistent-cache.js';
import type { RangeSource } from '../source/range-source.js';
import { TiffReader } from '../tiff/tiff-reader.js';
import { TiffSlide } from './tiff-slide.js';

export type SlideInput = string | URL | Blob | RangeSource;

export interface OpenSlideOptions {
  signal?: AbortSignal;
  /** Metadata block cache (TIFF directories, offset arrays); tile bytes bypass it. */
  cache?: BlockCacheOptions;
  /** For URL inputs. */
  http?: HttpSourceOptions;
  /** How nearby concurrent reads are merged into one request. */
  coalesce?: CoalescingOptions;
  /** Keep ranges read in IndexedDB across page loads (browsers; a pass-through elsewhere). */
  persistentCache?: PersistentCacheOptions | boolean;
}

/** A URL, Blob/File or any RangeSource, as the source the reader stacks its caches on. */
export function toSource(input: SlideInput, options: OpenSlideOptions = {}): RangeSource {
  if (typeof input === 'string' || input instanceof URL) {
    const url = String(input);
    if (url.startsWith('s3://')) {
      throw new SlideError('invalid_argument', `${url} is an S3 URI: open it with an S3 source (wsi-stream/s3) or a presigned HTTPS URL.`);
    }
    return new HttpSource(url, options.http);
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new BlobSource(input);
  if (typeof (input as RangeSource).read === 'function' && typeof (input as RangeSource).size === 'function') return input as RangeSource;
  throw new SlideError('invalid_argument', 'openSlide needs a URL, a Blob or File, or a RangeSource.');
}

/**
 * Opens an Aperio SVS or pyramidal TIFF: reads the directory chain through a block cache (few, small
 * requests) and returns the slide model; tile reads later fetch exactly each tile's bytes.
 */
export async function openSlide(input: SlideInput, options: OpenSlideOptions = {}): Promise<TiffSlide> {
  // Metrics sit right on the byte source, so they count what reaches the network. Above them, nearby
  // concurrent reads (a viewport's tiles) merge into one request; above that, the persistent cache keeps
  // exact tile ranges, so what it stores does not depend on how reads happened to be merged.
  const network = new MetricsSource(toSource(input, options));
  const coalesced = new CoalescingSource(network, options.coalesce);
  const persistent = options.persistentCache ? new PersistentCache(coalesced, options.persistentCache === true ? {} : options.persistentCache) : undefined;
  const data = persistent ?? coalesced;
  const meta = new BlockCache(data, options.cache);
  const tiff = await TiffReader.open(meta, options.signal ? { signal: options.signal } : {});
  return new TiffSlide(tiff, new HeldBytesFirst(meta, data), {
    requests: network.metrics,
    metadataCache: meta.stats,
    coalescing: coalesced.stats,
    ...(persistent ? { persistentCache: persistent.stats } : {}),
  });
}
