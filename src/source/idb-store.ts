import { DEFAULT_CACHE_DB } from './cache-hint.js';
import { createStore, del, delMany, entries, get, getMany, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';
import { nextTask } from './next-task.js';

/** What an IndexedDB byte cache counts, shared with the cache built on it (which counts its own hits and misses). */
export interface IdbStoreStats {
  /** IndexedDB failures (quota, private mode); after one, the store answers nothing and keeps nothing. */
  errors: number;
  bytesStored: number;
}

interface Usage {
  size: number;
  used: number;
}

const DEFAULT_MAX = 256 * 1024 * 1024;
/**
 * Keys deleted per IndexedDB transaction, a task apart. The page makes a request per key: a full cache's eviction (its
 * oldest fifth, thousands of tiles' entries) in one go made long frames of 50–60 ms every few minutes once the cache was
 * full, in the 30-minute session bench (2026-12-06: 14 frames of the IndexedDB transaction's completion, 7 of the usage
 * write's timer).
 */
const DELETE_BATCH = 256;

/**
 * Entries of bytes in IndexedDB, least recently used evicted beyond a cap, for the caches that outlive a page (byte
 * ranges of files, frames of DICOMweb instances). Lookups of one task share a transaction; recency is written, and the
 * cap enforced, once a second, not on every hit or write (so the cap may be passed by a second's writes); any IndexedDB
 * failure turns the store off instead of failing a read. Without IndexedDB (Node, some private modes) it is off from
 * the start.
 */
export class IdbStore {
  readonly #maxBytes: number;
  readonly dbName: string;
  readonly #stats: IdbStoreStats;
  #stores?: { data: UseStore; usage: UseStore };
  #usage?: Promise<Map<string, Usage>>;
  #disabled = typeof indexedDB === 'undefined';
  readonly #writes = new Set<Promise<unknown>>();
  /** Usage records for the next usage write; `stored` where the record is in IndexedDB already (a new entry's). */
  readonly #pendingUsage = new Map<string, { record: Usage; stored: boolean }>();
  #usageTimer?: ReturnType<typeof setTimeout>;
  #lookups: Array<{ key: string; resolve(value: unknown): void }> = [];
  /** Keys whose put has begun and whose usage is not yet noted: an eviction under way must not delete them. */
  readonly #writing = new Set<string>();

  constructor(stats: IdbStoreStats, options: { maxBytes?: number; dbName?: string } = {}) {
    this.#stats = stats;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX;
    this.dbName = options.dbName ?? DEFAULT_CACHE_DB;
  }

  /**
   * The value under a key, looked up in batches: the reads of one task (a viewport's tiles) share one IndexedDB
   * transaction, and their misses then reach the source below together, in one task.
   */
  lookup(key: string): Promise<unknown> {
    if (this.#disabled) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      if (this.#lookups.length === 0) setTimeout(() => void this.#lookupBatch(), 0);
      this.#lookups.push({ key, resolve });
    });
  }

  /** Every value whose key starts with `prefix` (one slide's few entries), in one request; none where the store is off. */
  async valuesWithPrefix(prefix: string): Promise<unknown[]> {
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    return (await this.#guard(() => this.#stores!.data('readonly', (store) => promisifyRequest(store.getAll(range))))) ?? [];
  }

  /** A value outside the eviction accounting (a manifest), read at once. */
  getMeta<T>(key: string): Promise<T | undefined> {
    return this.#guard(() => get<T>(key, this.#stores!.data));
  }

  /** Resolves once the value has reached IndexedDB, or the store has given up on it. */
  setMeta(key: string, value: unknown): Promise<void> {
    const write = this.#guard(() => set(key, value, this.#stores!.data));
    this.#track(write);
    return write;
  }

  /**
   * Keeps `value` (which holds `size` bytes) under `key`, evicting the least recently used beyond the cap. Resolves
   * once it is written (true) or the store has given up on it.
   */
  put(key: string, value: unknown, size: number): Promise<boolean> {
    const write = this.#put(key, value, size);
    this.#track(write);
    return write;
  }

  delete(key: string): void {
    this.#track(this.#guard(() => del(key, this.#stores!.data)));
  }

  /** Drops every entry whose key starts with `prefix`, and the extra keys given (a manifest). */
  async deletePrefix(prefix: string, extra: string[] = []): Promise<void> {
    for (const k of [...this.#pendingUsage.keys()]) if (k.startsWith(prefix)) this.#pendingUsage.delete(k);
    const usage = await this.#loadUsage();
    const stale = [...usage.keys()].filter((k) => k.startsWith(prefix));
    for (const k of stale) usage.delete(k);
    // Their usage records too: left behind, they would count as kept bytes in every later session.
    await this.#deleteEverywhere([...stale, ...extra], usage);
  }

  /**
   * Marks an entry as just used. Every cache hit would otherwise be an IndexedDB write on the tile path; recency only
   * orders eviction, so touches are gathered and written together once a second (see #writeUsage).
   */
  touch(key: string, size: number): void {
    this.#noteUsage(key, { size, used: Date.now() }, false);
  }

  /** Resolves when every pending write has reached IndexedDB (before a reload, in tests). */
  async flush(): Promise<void> {
    // A write that lands notes its usage for the next usage write: that one is made at once too.
    for (;;) {
      if (this.#usageTimer !== undefined) {
        clearTimeout(this.#usageTimer);
        this.#writeUsage();
      }
      if (this.#writes.size === 0) return;
      await Promise.allSettled([...this.#writes]);
    }
  }

  async #lookupBatch(): Promise<void> {
    const batch = this.#lookups;
    this.#lookups = [];
    const values = await this.#guard(() =>
      getMany<unknown>(
        batch.map((b) => b.key),
        this.#stores!.data,
      ),
    );
    for (const [i, b] of batch.entries()) b.resolve(values?.[i]);
  }

  /**
   * The value, then its usage record (at once, so an entry outlives a closed tab with the record that lets it be
   * evicted); the in-memory usage and the eviction wait for the next usage write, like a touch.
   */
  async #put(key: string, value: unknown, size: number): Promise<boolean> {
    this.#writing.add(key);
    try {
      const record = { size, used: Date.now() };
      const stored = await this.#guard(async () => {
        await set(key, value, this.#stores!.data);
        await set(key, record, this.#stores!.usage);
        this.#stats.bytesStored += size;
        return true;
      });
      this.#noteUsage(key, record, stored === true);
      return stored === true;
    } finally {
      this.#writing.delete(key);
    }
  }

  /** Least recently used first, down to 80% of the cap, so eviction does not run on every write. */
  async #evict(usage: Map<string, Usage>): Promise<void> {
    let total = 0;
    for (const u of usage.values()) total += u.size;
    if (total <= this.#maxBytes) return;
    const victims: string[] = [];
    for (const [key, u] of [...usage].sort((a, b) => a[1].used - b[1].used)) {
      if (total <= this.#maxBytes * 0.8) break;
      victims.push(key);
      total -= u.size;
      usage.delete(key);
    }
    await this.#deleteEverywhere(victims, usage);
  }

  /**
   * Entries and their usage records, DELETE_BATCH keys at a time, a task apart. A key written or used again since it
   * was chosen (a range read again while the eviction goes on) is kept: deleting it would drop a fresh entry, or leave
   * it without the usage record that lets it be evicted. `usage` is the in-memory usage, which the caller has loaded.
   */
  async #deleteEverywhere(keys: readonly string[], usage: Map<string, Usage>): Promise<void> {
    const reused = (key: string) => this.#writing.has(key) || this.#pendingUsage.has(key) || usage.has(key);
    for (let from = 0; from < keys.length; from += DELETE_BATCH) {
      if (from > 0) await nextTask();
      const batch = keys.slice(from, from + DELETE_BATCH).filter((key) => !reused(key));
      if (batch.length === 0) continue;
      await this.#guard(() => delMany(batch, this.#stores!.data));
      await this.#guard(() => delMany(batch, this.#stores!.usage));
    }
  }

  #noteUsage(key: string, record: Usage, stored: boolean): void {
    this.#pendingUsage.set(key, { record, stored });
    this.#usageTimer ??= setTimeout(() => this.#writeUsage(), 1000);
  }

  /**
   * The second's touches and new entries, into the usage records and out to IndexedDB, then the eviction. The records
   * of every entry kept (tens of thousands in a full cache: about 140 ms of IndexedDB and 30 ms of main thread to
   * read) are read here, the first time, never on the read path: a reload's first viewport no longer waits behind them.
   */
  #writeUsage(): void {
    this.#usageTimer = undefined;
    const batch = [...this.#pendingUsage];
    this.#pendingUsage.clear();
    if (batch.length === 0) return;
    // Only touches go out: a new entry's record went to IndexedDB with the entry.
    const touches = batch.filter(([, pending]) => !pending.stored).map(([key, { record }]) => [key, record] as [string, Usage]);
    this.#track(
      (async () => {
        const usage = await this.#loadUsage();
        for (const [key, { record }] of batch) usage.set(key, record);
        if (touches.length > 0) await this.#guard(() => setMany(touches, this.#stores!.usage));
        await this.#evict(usage);
      })(),
    );
  }

  #loadUsage(): Promise<Map<string, Usage>> {
    this.#usage ??= this.#guard(() => entries<string, Usage>(this.#stores!.usage)).then(
      (all) => new Map((all ?? []).filter(([, u]) => typeof u?.size === 'number')),
    );
    return this.#usage;
  }

  /** Runs an IndexedDB operation; any failure turns the store into nothing instead of failing the read. */
  async #guard<T>(operation: () => Promise<T>): Promise<T | undefined> {
    if (this.#disabled) return undefined;
    try {
      this.#stores ??= { data: createStore(this.dbName, 'ranges'), usage: createStore(`${this.dbName}-usage`, 'usage') };
      return await operation();
    } catch {
      this.#stats.errors++;
      this.#disabled = true;
      return undefined;
    }
  }

  #track(write: Promise<unknown>): void {
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }
}
