import { BlockCache, type BlockCacheOptions, type BlockCacheStats } from '../source/block-cache.js';
import { CoalescingSource, type CoalescingOptions, type CoalescingStats } from '../source/coalescing-source.js';
import { HeldBytesFirst } from '../source/held-bytes-first.js';
import { MetricsSource, type RequestMetrics } from '../source/metrics-source.js';
import { PersistentCache, type PersistentCacheOptions, type PersistentCacheStats } from '../source/persistent-cache.js';
import type { RangeSource } from '../source/range-source.js';
import type { SlideIoSnapshot } from './types.js';

export interface SlideIoStats {
  /** Reads that reached the byte source (network requests for HTTP), and their bytes. */
  requests: RequestMetrics;
  /** The metadata block cache: block hits and misses. */
  metadataCache: BlockCacheStats;
  /** Reads merged into shared requests. */
  coalescing: CoalescingStats;
  /** The IndexedDB cache of ranges, when the slide was opened with one. */
  persistentCache?: PersistentCacheStats;
}

export function emptyIoStats(): SlideIoStats {
  return {
    requests: { requests: 0, bytes: 0, log: [] },
    metadataCache: { hits: 0, misses: 0, requests: 0, bytes: 0, heldBytes: 0 },
    coalescing: { reads: 0, requests: 0, gapBytes: 0 },
  };
}

/** The live counters as one flat snapshot. */
export function ioSnapshot(io: SlideIoStats): SlideIoSnapshot {
  return {
    requests: io.requests.requests,
    bytes: io.requests.bytes,
    metadataCacheHits: io.metadataCache.hits,
    metadataCacheMisses: io.metadataCache.misses,
    metadataCacheBytes: io.metadataCache.heldBytes,
    coalescedReads: io.coalescing.reads - io.coalescing.requests,
    persistentCacheHits: io.persistentCache?.hits ?? 0,
    persistentCacheMisses: io.persistentCache?.misses ?? 0,
  };
}

export interface SlideSourceOptions {
  /** Metadata block cache (directories, offset arrays); tile bytes bypass it. */
  cache?: BlockCacheOptions;
  /** How nearby concurrent reads are merged into one request. */
  coalesce?: CoalescingOptions;
  /** Keep ranges read in IndexedDB across page loads (browsers; a pass-through elsewhere). */
  persistentCache?: PersistentCacheOptions | boolean;
}

/** What a format reader reads through: metadata through a block cache, tile bytes exactly, and the counters of both. */
export interface SlideSources {
  meta: BlockCache;
  data: RangeSource;
  io: SlideIoStats;
  /** The IndexedDB cache below them, when the slide was opened with one. */
  persistent?: PersistentCache;
}

/**
 * Stacks the caches every format reads through. Metrics sit right on the byte source, so they count what
 * reaches the network. Above them, nearby concurrent reads (a viewport's tiles) merge into one request; above
 * that, the persistent cache keeps exact tile ranges, so what it stores does not depend on how reads happened
 * to be merged. Tile reads skip the metadata cache but take what it already holds.
 */
export function slideSources(source: RangeSource, options: SlideSourceOptions = {}): SlideSources {
  const network = new MetricsSource(source);
  const coalesced = new CoalescingSource(network, options.coalesce);
  const persistent = options.persistentCache ? new PersistentCache(coalesced, options.persistentCache === true ? {} : options.persistentCache) : undefined;
  const reads = persistent ?? coalesced;
  const meta = new BlockCache(reads, options.cache);
  return {
    meta,
    data: new HeldBytesFirst(meta, reads),
    io: { requests: network.metrics, metadataCache: meta.stats, coalescing: coalesced.stats, ...(persistent ? { persistentCache: persistent.stats } : {}) },
    ...(persistent ? { persistent } : {}),
  };
}
