import { SlideError, throwIfAborted } from '../errors.js';
import { LruMap } from './lru.js';
import { checkRange, outOfBounds, type RangeSource, type ReadOptions } from './range-source.js';
import { abandonOnAbort, SharedAbort } from './shared-abort.js';
import { SourceWrapper } from './source-wrapper.js';
import { METADATA_BLOCK_BYTES } from './round-trip-bytes.js';

export interface BlockCacheOptions {
  /** Alignment and unit of caching. Small, because TIFF metadata is small and scattered; tile bytes bypass this cache. */
  blockSize?: number;
  /** Memory bound in bytes. */
  maxBytes?: number;
  /**
   * Runs of missed blocks separated by at most this many uncached blocks are fetched as one request:
   * a few kilobytes more cost far less than another round trip (a TIFF's TileOffsets and TileByteCounts
   * slices for one tile are usually one array-length apart).
   */
  mergeGapBlocks?: number;
}

export interface BlockCacheStats {
  hits: number;
  misses: number;
  requests: number;
  bytes: number;
  /** Bytes held now (at most `maxBytes`). */
  heldBytes: number;
}

interface PendingBlock {
  promise: Promise<Uint8Array>;
  resolve(block: Uint8Array): void;
  reject(e: unknown): void;
  /** Aborts once every caller waiting for this block has aborted. */
  shared: SharedAbort;
  /** Some caller asked for it (blocks fetched only to bridge a gap have no caller). */
  wanted: boolean;
}

/**
 * Reads whole aligned blocks and keeps them in an LRU bounded in bytes. Concurrent reads of one block share
 * one request, and every block missed within one tick is fetched by as few requests as there are runs of
 * adjacent blocks — so parallel reads of neighbouring metadata cost one round trip.
 */
export class BlockCache extends SourceWrapper {
  readonly blockSize: number;
  readonly stats: BlockCacheStats = { hits: 0, misses: 0, requests: 0, bytes: 0, heldBytes: 0 };
  readonly #blocks: LruMap<number, Uint8Array>;
  readonly #pending = new Map<number, PendingBlock>();
  readonly #mergeGap: number;
  #queued: number[] = [];
  #size?: Promise<number>;

  constructor(inner: RangeSource, options: BlockCacheOptions = {}) {
    super(inner);
    this.blockSize = options.blockSize ?? METADATA_BLOCK_BYTES;
    if (!Number.isSafeInteger(this.blockSize) || this.blockSize < 1)
      throw new SlideError('invalid_argument', `blockSize must be a positive integer, not ${this.blockSize}.`);
    this.#blocks = new LruMap(options.maxBytes ?? 32 * 1024 * 1024);
    this.#mergeGap = options.mergeGapBlocks ?? 4;
  }

  override size(opts: ReadOptions = {}): Promise<number> {
    this.#size ??= this.inner.size(opts);
    const pending = this.#size;
    pending.catch(() => {
      if (this.#size === pending) this.#size = undefined;
    });
    return pending;
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    throwIfAborted(opts.signal, this.id);
    checkRange(this.id, offset, length);
    const size = await this.size(opts);
    if (offset + length > size) throw outOfBounds(this.id, offset, length, size);
    if (length === 0) return new Uint8Array(0);

    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((offset + length - 1) / this.blockSize);
    const parts: Array<Uint8Array | Promise<Uint8Array>> = [];
    let waiting = false;
    for (let b = first; b <= last; b++) {
      const cached = this.#blocks.get(b);
      if (cached) {
        this.stats.hits++;
        parts.push(cached);
        continue;
      }
      let pending = this.#pending.get(b);
      // A block whose every caller left is being aborted: a new caller starts it again rather than inherit the abort.
      if (!pending || pending.shared.signal.aborted) {
        this.stats.misses++;
        pending = this.#schedule(b, size);
      }
      pending.wanted = true;
      pending.shared.join(opts.signal);
      waiting = true;
      parts.push(pending.promise);
    }
    const blocks = waiting ? await abandonOnAbort(Promise.all(parts), opts.signal, this.id) : (parts as Uint8Array[]);
    return this.#assemble(blocks, first, offset, length);
  }

  /** The bytes, if every block of the range is held now; never reads, never counts as a hit or miss. */
  peek(offset: number, length: number): Uint8Array | undefined {
    if (length <= 0) return undefined;
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((offset + length - 1) / this.blockSize);
    const blocks: Uint8Array[] = [];
    for (let b = first; b <= last; b++) {
      const block = this.#blocks.peek(b);
      if (!block) return undefined;
      blocks.push(block);
    }
    return this.#assemble(blocks, first, offset, length);
  }

  /** How far from `offset` (up to `end`) the bytes are held now: `offset` when its block is not. Never reads. */
  heldUntil(offset: number, end: number): number {
    let at = offset;
    while (at < end && this.#blocks.peek(Math.floor(at / this.blockSize))) at = Math.min(end, (Math.floor(at / this.blockSize) + 1) * this.blockSize);
    return at;
  }

  /** Where the held bytes that reach `end` begin (down to `offset`): `end` when the block before it is not held. Never reads. */
  heldFrom(offset: number, end: number): number {
    let at = end;
    while (at > offset && this.#blocks.peek(Math.floor((at - 1) / this.blockSize)))
      at = Math.max(offset, Math.floor((at - 1) / this.blockSize) * this.blockSize);
    return at;
  }

  #assemble(blocks: Uint8Array[], first: number, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let written = 0;
    for (const [i, block] of blocks.entries()) {
      const blockStart = (first + i) * this.blockSize;
      const from = Math.max(offset, blockStart) - blockStart;
      const to = Math.min(offset + length, blockStart + block.length) - blockStart;
      out.set(block.subarray(from, to), written);
      written += to - from;
    }
    return out;
  }

  #schedule(block: number, size: number): PendingBlock {
    const pending = this.#createPending(block);
    if (this.#queued.length === 0) queueMicrotask(() => this.#flush(size));
    this.#queued.push(block);
    return pending;
  }

  #createPending(block: number): PendingBlock {
    let resolve!: (b: Uint8Array) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Uint8Array>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A block nobody awaits any more (all waiters aborted) must not surface as an unhandled rejection.
    promise.catch(() => undefined);
    const pending: PendingBlock = { promise, resolve, reject, shared: new SharedAbort(), wanted: false };
    this.#pending.set(block, pending);
    return pending;
  }

  /** Turns every block missed in this tick into requests, one per run of adjacent (or nearly adjacent) blocks. */
  #flush(size: number): void {
    const queued = [...new Set(this.#queued)].sort((a, b) => a - b);
    this.#queued = [];
    let run: number[] = [];
    for (const block of queued) {
      const previous = run[run.length - 1];
      if (previous !== undefined && this.#canBridge(previous, block)) {
        for (let gap = previous + 1; gap < block; gap++) {
          // Registered as in flight, so a read of a bridged block meanwhile waits for this request.
          this.#createPending(gap);
          run.push(gap);
        }
      } else if (previous !== undefined) {
        void this.#fetchRun(run, size);
        run = [];
      }
      run.push(block);
    }
    if (run.length > 0) void this.#fetchRun(run, size);
  }

  /** Whether the blocks between two misses may be fetched with them: few, and none cached or on its way (no byte read twice). */
  #canBridge(from: number, to: number): boolean {
    if (to - from - 1 > this.#mergeGap) return false;
    for (let b = from + 1; b < to; b++) if (this.#blocks.has(b) || this.#pending.has(b)) return false;
    return true;
  }

  async #fetchRun(run: number[], size: number): Promise<void> {
    // The run is aborted only when every block someone asked for has lost all its callers.
    const runAbort = new SharedAbort();
    const pendings = run.map((b) => this.#pending.get(b)!);
    for (const p of pendings) if (p.wanted) runAbort.join(p.shared.signal);
    // A block asked for again after this run was given up has a new entry: settle only our own.
    const settle = (b: number, p: PendingBlock) => {
      if (this.#pending.get(b) === p) this.#pending.delete(b);
    };
    const start = run[0]! * this.blockSize;
    const end = Math.min(size, (run[run.length - 1]! + 1) * this.blockSize);
    try {
      this.stats.requests++;
      const bytes = await this.inner.read(start, end - start, { signal: runAbort.signal });
      this.stats.bytes += bytes.length;
      for (const [i, b] of run.entries()) {
        const block = bytes.slice(i * this.blockSize, Math.min((i + 1) * this.blockSize, bytes.length));
        this.#blocks.set(b, block, block.length);
        this.stats.heldBytes = this.#blocks.weight;
        pendings[i]!.resolve(block);
        settle(b, pendings[i]!);
      }
    } catch (e) {
      for (const [i, b] of run.entries()) {
        pendings[i]!.reject(e);
        settle(b, pendings[i]!);
      }
    }
  }

  /** Drops every cached block (after the object changed, say). */
  clear(): void {
    this.#blocks.clear();
    this.stats.heldBytes = 0;
  }
}
