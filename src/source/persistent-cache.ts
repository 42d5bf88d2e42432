import { SlideError } from '../errors.js';
import type { TileCodec } from '../slide/types.js';
import { type CacheNote, cacheNote, forgetCached, mayBeCached, noteCached } from './cache-hint.js';
import { fnv1a } from './checksum.js';
import { IdbStore } from './idb-store.js';
import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

export interface PersistentCacheOptions {
  /** Bytes kept across sessions; least recently used ranges are evicted beyond it. */
  maxBytes?: number;
  /** IndexedDB database name, for hosts that run several caches. */
  dbName?: string;
  /**
   * For the viewer: bytes of decoded home-view tiles kept across visits (slides a worker decodes in WASM: JPEG 2000,
   * HTJ2K, JPEG-LS), in a database of their own (`<dbName>-pixels`), least recently used evicted beyond it. Default 64
   * MiB; 0 keeps none.
   */
  homeViewPixelBytes?: number;
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

/** Keys of a cold session's stored ranges remembered (about 100 bytes each). */
const STORED_KEYS_KEPT = 5_000;

/**
 * Ranges read before, kept in IndexedDB across page loads. Keyed by the object's identity and ETag, never by
 * URL, so renewed presigned URLs still hit. The object's size and ETag are remembered too (in IndexedDB, and in the
 * synchronous note, which a reopen reads first), so a slide seen before reopens with no request at all; the first
 * request that does go out re-checks the ETag and drops the slide's entries if the object changed. Without IndexedDB
 * (Node, some private modes) reads pass through.
 */
export class PersistentCache extends SourceWrapper {
  readonly stats: PersistentCacheStats = { hits: 0, misses: 0, dropped: 0, errors: 0, bytesStored: 0 };
  readonly #store: IdbStore;
  #manifest?: Promise<Manifest | undefined>;
  /**
   * Set when nothing of this slide was ever kept here (the synchronous note says so): the keys this session has stored
   * since, newest last. Only their reads ask IndexedDB (a tile read again after the memory caches let it go); every
   * other read goes to the source at once, without waiting for IndexedDB to open and answer that it has nothing.
   */
  readonly #storedThisSession?: Set<string>;
  /** The codec the last open of this slide noted, for this one to load its decoder before its first directory is read. */
  readonly notedCodec?: TileCodec;
  /** Whether the note names this slide (it may hold what this session learns). */
  #noted: boolean;
  #codec?: TileCodec;

  constructor(inner: RangeSource, options: PersistentCacheOptions = {}) {
    super(inner);
    this.#store = new IdbStore(this.stats, options);
    const noted = mayBeCached(this.#store.dbName, this.id);
    this.#noted = noted === true;
    if (noted === false) this.#storedThisSession = new Set();
    if (!this.#noted) return;
    const { manifest, codec } = cacheNote(this.#store.dbName, this.id);
    this.notedCodec = codec;
    // Noted beside the entries: the reopen's first read asks IndexedDB for them, not for the manifest first.
    if (manifest) this.#manifest = this.#checkManifest(manifest);
  }

  override async size(opts: ReadOptions = {}): Promise<number> {
    const manifest = await this.#readManifest();
    if (manifest) return manifest.size;
    const size = await this.inner.size(opts);
    const stored = { size, etag: this.inner.version ?? '' };
    void this.#store.setMeta(`manifest|${this.id}`, stored).then(() => this.#note({ manifest: stored }));
    return size;
  }

  /** The codec the open found: noted for the next open (see notedCodec). */
  noteCodec(codec: TileCodec): void {
    this.#codec = codec;
    if (this.#noted) this.#note({ codec });
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    const manifest = await this.#readManifest();
    const etag = manifest?.etag ?? this.inner.version ?? '';
    const key = `${this.id}|${etag}|${offset}|${length}`;
    const cached = this.#storedThisSession && !this.#storedThisSession.has(key) ? undefined : await this.#store.lookup(key);
    if (cached !== undefined) {
      const bytes = this.#validate(cached, offset, length, etag);
      if (bytes) {
        this.stats.hits++;
        this.#store.touch(key, length);
        return bytes;
      }
      this.stats.dropped++;
      this.#store.delete(key);
    }
    this.stats.misses++;
    const bytes = await this.inner.read(offset, length, opts);
    const current = this.inner.version ?? '';
    if (manifest && current && current !== manifest.etag) await this.#objectChanged(current);
    const entry: Entry = { v: 1, id: this.id, etag: current || etag, offset, bytes, sum: fnv1a(bytes) };
    const stored = `${this.id}|${entry.etag}|${offset}|${length}`;
    this.#store.put(stored, entry, bytes.length);
    this.#rememberStored(stored);
    return bytes;
  }

  /** Resolves when every pending write has reached IndexedDB (before a reload, in tests). */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  override async close(): Promise<void> {
    await this.flush();
    await this.inner.close?.();
  }

  /** Bounded: past it, the oldest keys' reads go to the source again (slower, never wrong). */
  #rememberStored(key: string): void {
    const keys = this.#storedThisSession;
    if (!keys) return;
    keys.delete(key);
    keys.add(key);
    if (keys.size > STORED_KEYS_KEPT) keys.delete(keys.values().next().value!);
  }

  /** Only an entry we wrote, for this range and version, with intact bytes, is ever returned. */
  #validate(value: unknown, offset: number, length: number, etag: string): Uint8Array | undefined {
    const e = value as Partial<Entry> | null;
    if (!e || typeof e !== 'object' || e.v !== 1 || e.id !== this.id || e.etag !== etag || e.offset !== offset) return undefined;
    if (!(e.bytes instanceof Uint8Array) || e.bytes.length !== length || e.sum !== fnv1a(e.bytes)) return undefined;
    return e.bytes;
  }

  /** Drops every entry of this id: they are of another version of the object. */
  #dropEntries(): Promise<void> {
    this.#noted = false;
    forgetCached(this.#store.dbName, this.id);
    return this.#store.deletePrefix(`${this.id}|`, [`manifest|${this.id}`]);
  }

  /** Once something of the slide is in IndexedDB: the note says so, with what is learnt (the codec, found earlier, too). */
  #note(learnt: CacheNote): void {
    this.#noted = true;
    noteCached(this.#store.dbName, this.id, { ...(this.#codec ? { codec: this.#codec } : {}), ...learnt });
  }

  async #objectChanged(etag: string): Promise<void> {
    await this.#dropEntries();
    this.#manifest = Promise.resolve(undefined);
    throw new SlideError('object_changed', `${this.id} changed since it was cached (ETag now ${etag}). Reopen the slide to see the new version.`, {
      source: this.id,
    });
  }

  #readManifest(): Promise<Manifest | undefined> {
    if (this.#storedThisSession) return Promise.resolve(undefined);
    this.#manifest ??= this.#store.getMeta<Manifest>(`manifest|${this.id}`).then(async (m) => {
      const manifest = m && typeof m.size === 'number' && typeof m.etag === 'string' ? await this.#checkManifest(m) : undefined;
      // Not in the note (one written by an older version): the next open finds it there.
      if (manifest) this.#note({ manifest: { size: manifest.size, etag: manifest.etag } });
      return manifest;
    });
    return this.#manifest;
  }

  /**
   * A source that knows its version before reading (a File: size and modification time) shows at once that what is
   * cached under its name belongs to another object; an HTTP source learns its ETag from the first answer.
   */
  async #checkManifest(manifest: Manifest): Promise<Manifest | undefined> {
    const known = this.inner.version;
    if (known === undefined || known === manifest.etag) return manifest;
    await this.#dropEntries();
    return undefined;
  }
}
