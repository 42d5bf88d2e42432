import { fnv1a } from '../source/checksum.js';
import { IdbStore } from '../source/idb-store.js';
import type { PersistentCacheOptions, PersistentCacheStats } from '../source/persistent-cache.js';
import type { FrameBytes } from './instance-reader.js';

/** What is kept of one instance: a frame (by its number) or bulk data (by its URI), with the frame's transfer syntax. */
interface Entry {
  v: 1;
  uid: string;
  frame?: number;
  uri?: string;
  bytes: Uint8Array;
  transferSyntax: string;
  sum: number;
}

/** Which part of an instance an entry holds. */
type Part = { frame: number } | { uri: string };

/**
 * DICOMweb frames and bulk data (an optical path's ICC profile) kept in IndexedDB across page loads, keyed by SOP
 * Instance UID and frame number or bulk data URI. DICOM never reuses an instance UID for other pixels, so an entry
 * needs no version check, and a frame is the same wherever the series is served from (another server, another URL, a
 * renewed token). A reload then costs the series' metadata request alone.
 */
export class DicomWebCache {
  readonly stats: PersistentCacheStats = { hits: 0, misses: 0, dropped: 0, errors: 0, bytesStored: 0 };
  readonly #store: IdbStore;

  constructor(options: PersistentCacheOptions = {}) {
    this.#store = new IdbStore(this.stats, options);
  }

  /** The frame from the cache, or read and kept. */
  frame(uid: string, frame: number, read: () => Promise<FrameBytes>): Promise<FrameBytes> {
    return this.#entry(`dicom|${uid}|${frame}`, uid, { frame }, read);
  }

  /** Bulk data from the cache, or read and kept. */
  async bulk(uid: string, uri: string, read: () => Promise<Uint8Array>): Promise<Uint8Array> {
    return (await this.#entry(`dicom-bulk|${uid}|${uri}`, uid, { uri }, async () => ({ bytes: await read() }))).bytes;
  }

  flush(): Promise<void> {
    return this.#store.flush();
  }

  async #entry(key: string, uid: string, part: Part, read: () => Promise<FrameBytes>): Promise<FrameBytes> {
    const cached = await this.#store.lookup(key);
    if (cached !== undefined) {
      const hit = valid(cached, uid, part);
      if (hit) {
        this.stats.hits++;
        this.#store.touch(key, hit.bytes.length);
        return hit;
      }
      this.stats.dropped++;
      this.#store.delete(key);
    }
    this.stats.misses++;
    const fresh = await read();
    const entry: Entry = { v: 1, uid, ...part, bytes: fresh.bytes, transferSyntax: fresh.transferSyntax ?? '', sum: fnv1a(fresh.bytes) };
    this.#store.put(key, entry, fresh.bytes.length);
    return fresh;
  }
}

/** Only an entry we wrote, for this instance and part, with intact bytes, is ever returned. */
function valid(value: unknown, uid: string, part: Part): FrameBytes | undefined {
  const e = value as Partial<Entry> | null;
  if (!e || typeof e !== 'object' || e.v !== 1 || e.uid !== uid || typeof e.transferSyntax !== 'string') return undefined;
  if ('frame' in part ? e.frame !== part.frame : e.uri !== part.uri) return undefined;
  if (!(e.bytes instanceof Uint8Array) || e.sum !== fnv1a(e.bytes)) return undefined;
  return { bytes: e.bytes, ...(e.transferSyntax ? { transferSyntax: e.transferSyntax } : {}) };
}
