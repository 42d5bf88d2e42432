import { abortError, throwIfAborted } from '../errors.js';
import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';
import { SharedAbort } from './shared-abort.js';

export interface CoalescingOptions {
  /** Reads arriving within this window are considered together (ms; 0 = the same macrotask). */
  windowMs?: number;
  /**
   * Reads separated by at most this many bytes are fetched as one request. Default 0: only touching ranges
   * merge (a scanner writes a row's tiles back to back), so no byte is fetched that nobody asked for —
   * a gap could be bytes a cache above already holds.
   */
  maxGap?: number;
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
 */
export class CoalescingSource extends SourceWrapper {
  readonly stats: CoalescingStats = { reads: 0, requests: 0, gapBytes: 0 };
  readonly #windowMs: number;
  readonly #maxGap: number;
  readonly #maxBytes: number;
  #queue: Pending[] = [];

  constructor(inner: RangeSource, options: CoalescingOptions = {}) {
    super(inner);
    this.#windowMs = options.windowMs ?? 0;
    this.#maxGap = options.maxGap ?? 0;
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
    for (const p of queue) {
      const start = group[0]?.offset ?? p.offset;
      if (group.length > 0 && (p.offset - end > this.#maxGap || Math.max(end, p.offset + p.length) - start > this.#maxBytes)) {
        void this.#fetch(group);
        group = [];
      }
      group.push(p);
      end = group.length === 1 ? p.offset + p.length : Math.max(end, p.offset + p.length);
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
      for (const p of group) {
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
