import { abortError, throwIfAborted } from '../errors.js';
import type { RangeSource, ReadOptions } from './range-source.js';
import { ROUND_TRIP_BYTES } from './round-trip-bytes.js';
import { SourceWrapper } from './source-wrapper.js';
import { nextTask } from './next-task.js';
import { SharedAbort } from './shared-abort.js';

export interface CoalescingOptions {
  /** Reads arriving within this window are considered together (ms; 0 = the same macrotask). */
  windowMs?: number;
  /**
   * The largest gap bridged between two reads (bytes); at most ROUND_TRIP_BYTES is worth it, since past that fetching
   * the gap costs more than the round trip a request of its own would. Default 0: only touching ranges merge. A gap
   * may be bytes a cache above already holds, which a bridge would read again: with gaps bridged, the first viewport
   * of icc-prophoto-cmu.tif became one 2 MB request from offset 8 that read again 40 kB the open's tail read held,
   * and with them the ICC profile that colour 'none' must not fetch.
   */
  maxGap?: number;
  /**
   * The bytes a merged request fetches only to bridge gaps, at most this share of the bytes its callers asked for
   * (default 0.1): so merging never costs more than a tenth more bytes, and a gap that is a tile some cache above
   * already holds is fetched again only when it is small beside what comes with it.
   */
  maxGapShare?: number;
  /** A merged request never grows beyond this. */
  maxBytes?: number;
}

export interface CoalescingStats {
  reads: number;
  requests: number;
  /** Bytes fetched only to bridge gaps between merged reads. */
  gapBytes: number;
}

interface Pending {
  offset: number;
  length: number;
  resolve(bytes: Uint8Array): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  done: boolean;
}

/**
 * Merges reads of nearby ranges (the tiles of one viewport lie next to each other in the file) into one
 * request, and hands each caller its slice. A merged request is aborted only when all its callers abort.
 *
 * The rule: the reads of one window, in file order, join the request before them when (1) the gap to it is at most
 * `maxGap`, (2) the request's bridged gaps stay within `maxGapShare` of the bytes asked for, and (3) the request
 * stays within `maxBytes`. Touching and overlapping reads always join (no gap), up to `maxBytes`.
 */
export class CoalescingSource extends SourceWrapper {
  readonly stats: CoalescingStats = { reads: 0, requests: 0, gapBytes: 0 };
  readonly #windowMs: number;
  readonly #maxGap: number;
  readonly #maxGapShare: number;
  readonly #maxBytes: number;
  #queue: Pending[] = [];

  constructor(inner: RangeSource, options: CoalescingOptions = {}) {
    super(inner);
    this.#windowMs = options.windowMs ?? 0;
    this.#maxGap = Math.min(options.maxGap ?? 0, ROUND_TRIP_BYTES);
    this.#maxGapShare = options.maxGapShare ?? 0.1;
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  }

  read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    throwIfAborted(opts.signal, this.id);
    this.stats.reads++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: Pending = { offset, length, resolve, reject, done: false, ...(opts.signal ? { signal: opts.signal } : {}) };
      opts.signal?.addEventListener(
        'abort',
        () => {
          if (pending.done) return;
          pending.done = true;
          reject(abortError(opts.signal, this.id));
        },
        { once: true },
      );
      if (this.#queue.length === 0) setTimeout(() => this.#flush(), this.#windowMs);
      this.#queue.push(pending);
    });
  }

  #flush(): void {
    const queue = this.#queue.filter((p) => !p.done).sort((a, b) => a.offset - b.offset);
    this.#queue = [];
    let group: Pending[] = [];
    let end = 0;
    /** The group's bridged gaps and the bytes its callers asked for (overlaps counted once). */
    let gaps = 0;
    let asked = 0;
    for (const p of queue) {
      const gap = Math.max(0, p.offset - end);
      const newEnd = Math.max(end, p.offset + p.length);
      const added = newEnd - Math.max(end, p.offset);
      const joins = gap <= this.#maxGap && gaps + gap <= this.#maxGapShare * (asked + added) && newEnd - (group[0]?.offset ?? 0) <= this.#maxBytes;
      if (group.length > 0 && joins) {
        [gaps, asked, end] = [gaps + gap, asked + added, newEnd];
      } else {
        if (group.length > 0) void this.#fetch(group);
        [group, gaps, asked, end] = [[], 0, p.length, p.offset + p.length];
      }
      group.push(p);
    }
    if (group.length > 0) void this.#fetch(group);
  }

  async #fetch(group: Pending[]): Promise<void> {
    const start = group[0]!.offset;
    const end = Math.max(...group.map((p) => p.offset + p.length));
    const useful = group.reduce((sum, p) => sum + p.length, 0);
    const shared = new SharedAbort();
    for (const p of group) shared.join(p.signal);
    this.stats.requests++;
    this.stats.gapBytes += Math.max(0, end - start - useful);
    try {
      const bytes = await this.inner.read(start, end - start, { signal: shared.signal });
      for (const [i, p] of group.entries()) {
        // Each caller's continuation (its cache write and checksum, its tile's decode request) in a task of its own:
        // run together, a merged read of a viewport's tiles made one main-thread task of 70 ms (bench:session).
        if (i > 0) await nextTask();
        if (p.done) continue;
        p.done = true;
        p.resolve(bytes.slice(p.offset - start, p.offset - start + p.length));
      }
    } catch (error) {
      for (const p of group) {
        if (p.done) continue;
        p.done = true;
        p.reject(error);
      }
    }
  }
}
