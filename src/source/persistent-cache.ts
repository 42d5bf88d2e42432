import { createStore, del, delMany, entries, get, getMany, set, setMany, type UseStore } from 'idb-keyval';
import { SlideError } from '../errors.js';
import { fnv1a } from './checksum.js';
import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

export interface PersistentCacheOptions {
  /** Bytes kept across sessions; least recently used ranges are evicted beyond it. */
  maxBytes?: number;
  /** IndexedDB database name, for hosts that run several caches. */
  dbName?: string;
}

export interface PersistentCacheStats {
  hits: number;
  misses: number;
  /** Entries found damaged or not ours, dropped. */
  dropped: number;
  /** IndexedDB failures (quota, private mode); after one, the cache only passes reads through. */
  errors: number;
  bytesStored: number;
}

interface Entry {
  v: 1;
  id: string;
  etag: string;
  offset: number;
  bytes: Uint8Array;
  sum: number;
}

interface Manifest {
  size: number;
  etag: string;
}

interface Usage {
  size: number;
  used: number;
}

const DEFAULT_MAX = 256 * 1024 * 1024;

/**
 * Ranges read before, kept in IndexedDB across page loads. Keyed by the object's identity and ETag, never by
 * URL, so renewed presigned URLs still hit. The object's size and ETag are remembered too, so a slide seen
 * before reopens with no request at all; the first request that does go out re-checks the ETag and drops
 * the slide's entries if the object changed. Without IndexedDB (Node, some private modes) reads pass through.
 */
export class PersistentCache extends SourceWrapper {
  readonly stats: PersistentCacheStats = { hits: 0, misses: 0, dropped: 0, errors: 0, bytesStored: 0 };
  readonly #maxBytes: number;
  readonly #dbName: string;
  #stores?: { data: UseStore; usage: UseStore };
  #usage?: Promise<Map<string, Usage>>;
  #manifest?: Promise<Manifest | undefined>;
  #disabled = typeof indexedDB === 'undefined';
  readonly #writes = new Set<Promise<unknown>>();
  readonly #touched = new Map<string, Usage>();
  #touchTimer?: ReturnType<typeof setTimeout>;
  #lookups: Array<{ key: string; resolve(value: unknown): void }> = [];

  constructor(inner: RangeSource, options: PersistentCacheOptions = {}) {
    super(inner);
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX;
    this.#dbName = options.dbName ?? 'wsi-stream';
  }

  override async size(opts: ReadOptions = {}): Promise<number> {
    const manifest = await this.#readManifest();
    if (manifest) return manifest.size;
    const size = await this.inner.size(opts);
    this.#track(this.#guard(() => set(`manifest|${this.id}`, { size, etag: this.inner.version ?? '' }, this.#stores!.data)));
    return size;
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    const manifest = await this.#readManifest();
    const etag = manifest?.etag ?? this.inner.version ?? '';
    const key = `${this.id}|${etag}|${offset}|${length}`;
    const cached = await this.#lookup(key);
    if (cached !== undefined) {
      const bytes = this.#validate(cached, offset, length, etag);
      if (bytes) {
        this.stats.hits++;
        void this.#touch(key, length);
        return bytes;
      }
      this.stats.dropped++;
      this.#track(this.#guard(() => del(key, this.#stores!.data)));
    }
    this.stats.misses++;
    const bytes = await this.inner.read(offset, length, opts);
    const current = this.inner.version ?? '';
    if (manifest && current && current !== manifest.etag) await this.#objectChanged(current);
    const entry: Entry = { v: 1, id: this.id, etag: current || etag, offset, bytes, sum: fnv1a(bytes) };
    this.#track(this.#store(`${this.id}|${entry.etag}|${offset}|${length}`, entry));
    return bytes;
  }

  /** Resolves when every pending write has reached IndexedDB (before a reload, in tests). */
  async flush(): Promise<void> {
    if (this.#touchTimer !== undefined) {
      clearTimeout(this.#touchTimer);
      this.#writeTouches();
    }
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
  }

  override async close(): Promise<void> {
    await this.flush();
    await this.inner.close?.();
  }

  /**
   * Looks keys up in batches: the reads of one task (a viewport's tiles) share one IndexedDB transaction, and
   * their misses then reach the source below together, in one task, where touching ranges merge into one request.
   */
  #lookup(key: string): Promise<unknown> {
    if (this.#disabled) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      if (this.#lookups.length === 0) setTimeout(() => void this.#lookupBatch(), 0);
      this.#lookups.push({ key, resolve });
    });
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

  /** Only an entry we wrote, for this range and version, with intact bytes, is ever returned. */
  #validate(value: unknown, offset: number, length: number, etag: string): Uint8Array | undefined {
    const e = value as Partial<Entry> | null;
    if (!e || typeof e !== 'object' || e.v !== 1 || e.id !== this.id || e.etag !== etag || e.offset !== offset) return undefined;
    if (!(e.bytes instanceof Uint8Array) || e.bytes.length !== length || e.sum !== fnv1a(e.bytes)) return undefined;
    return e.bytes;
  }

  /** Drops every entry of this id: they are of another version of the object. */
  async #dropEntries(): Promise<void> {
    const usage = await this.#loadUsage();
    const stale = [...usage.keys()].filter((k) => k.startsWith(`${this.id}|`));
    for (const k of stale) usage.delete(k);
    await this.#guard(() => delMany([...stale, `manifest|${this.id}`], this.#stores!.data));
  }

  async #objectChanged(etag: string): Promise<void> {
    await this.#dropEntries();
    this.#manifest = Promise.resolve(undefined);
    throw new SlideError('object_changed', `${this.id} changed since it was cached (ETag now ${etag}). Reopen the slide to see the new version.`, {
      source: this.id,
    });
  }

  #readManifest(): Promise<Manifest | undefined> {
    this.#manifest ??= this.#guard(() => get<Manifest>(`manifest|${this.id}`, this.#stores!.data)).then(async (m) => {
      const manifest = m && typeof m.size === 'number' && typeof m.etag === 'string' ? m : undefined;
      // A source that knows its version before reading (a File: size and modification time) shows at once that what
      // is cached under its name belongs to another object; an HTTP source learns its ETag from the first answer.
      const known = this.inner.version;
      if (manifest && known !== undefined && known !== manifest.etag) {
        await this.#dropEntries();
        return undefined;
      }
      return manifest;
    });
    return this.#manifest;
  }

  async #store(key: string, entry: Entry): Promise<void> {
    const usage = await this.#loadUsage();
    await this.#guard(async () => {
      await set(key, entry, this.#stores!.data);
      const record = { size: entry.bytes.length, used: Date.now() };
      usage.set(key, record);
      await set(key, record, this.#stores!.usage);
      this.stats.bytesStored += record.size;
    });
    await this.#evict(usage);
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
    await this.#guard(() => delMany(victims, this.#stores!.data));
    await this.#guard(() => delMany(victims, this.#stores!.usage));
  }

  /**
   * Marks a range as just used. Every cache hit would otherwise be an IndexedDB write on the tile path;
   * recency only orders eviction, so touches are gathered and written together once a second.
   */
  async #touch(key: string, size: number): Promise<void> {
    const usage = await this.#loadUsage();
    const record = { size, used: Date.now() };
    usage.set(key, record);
    this.#touched.set(key, record);
    this.#touchTimer ??= setTimeout(() => this.#writeTouches(), 1000);
  }

  #writeTouches(): void {
    this.#touchTimer = undefined;
    const batch = [...this.#touched];
    this.#touched.clear();
    if (batch.length > 0) this.#track(this.#guard(() => setMany(batch, this.#stores!.usage)));
  }

  #loadUsage(): Promise<Map<string, Usage>> {
    this.#usage ??= this.#guard(() => entries<string, Usage>(this.#stores!.usage)).then(
      (all) => new Map((all ?? []).filter(([, u]) => typeof u?.size === 'number')),
    );
    return this.#usage;
  }

  /** Runs an IndexedDB operation; any failure turns the cache into a pass-through instead of failing the read. */
  async #guard<T>(operation: () => Promise<T>): Promise<T | undefined> {
    if (this.#disabled) return undefined;
    try {
      this.#stores ??= { data: createStore(this.#dbName, 'ranges'), usage: createStore(`${this.#dbName}-usage`, 'usage') };
      return await operation();
    } catch {
      this.stats.errors++;
      this.#disabled = true;
      return undefined;
    }
  }

  #track(write: Promise<unknown>): void {
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }
}
