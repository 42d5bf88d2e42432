import { fnv1a } from '../source/checksum.js';
import { IdbStore } from '../source/idb-store.js';
import type { PersistentCacheOptions, PersistentCacheStats } from '../source/persistent-cache.js';
import type { FrameBytes } from './instance-reader.js';

interface FrameEntry {
  v: 1;
  uid: string;
  frame: number;
  bytes: Uint8Array;
  transferSyntax: string;
  sum: number;
}

/**
 * DICOMweb frames kept in IndexedDB across page loads, keyed by SOP Instance UID and frame number. DICOM never
 * reuses an instance UID for other pixels, so an entry needs no version check and is the same wherever the series
 * is served from (another server, another URL, a renewed token).
 */
export class DicomFrameCache {
  readonly stats: PersistentCacheStats = { hits: 0, misses: 0, dropped: 0, errors: 0, bytesStored: 0 };
  readonly #store: IdbStore;

  constructor(options: PersistentCacheOptions = {}) {
    this.#store = new IdbStore(this.stats, options);
  }

  /** The frame from the cache, or read and kept. */
  async frame(uid: string, frame: number, read: () => Promise<FrameBytes>): Promise<FrameBytes> {
    const key = `dicom|${uid}|${frame}`;
    const cached = await this.#store.lookup(key);
    if (cached !== undefined) {
      const hit = valid(cached, uid, frame);
      if (hit) {
        this.stats.hits++;
        void this.#store.touch(key, hit.bytes.length);
        return hit;
      }
      this.stats.dropped++;
      this.#store.delete(key);
    }
    this.stats.misses++;
    const fresh = await read();
    const entry: FrameEntry = { v: 1, uid, frame, bytes: fresh.bytes, transferSyntax: fresh.transferSyntax ?? '', sum: fnv1a(fresh.bytes) };
    this.#store.put(key, entry, fresh.bytes.length);
    return fresh;
  }

  flush(): Promise<void> {
    return this.#store.flush();
  }
}

/** Only an entry we wrote, for this instance and frame, with intact bytes, is ever returned. */
function valid(value: unknown, uid: string, frame: number): FrameBytes | undefined {
  const e = value as Partial<FrameEntry> | null;
  if (!e || typeof e !== 'object' || e.v !== 1 || e.uid !== uid || e.frame !== frame || typeof e.transferSyntax !== 'string') return undefined;
  if (!(e.bytes instanceof Uint8Array) || e.sum !== fnv1a(e.bytes)) return undefined;
  return { bytes: e.bytes, ...(e.transferSyntax ? { transferSyntax: e.transferSyntax } : {}) };
}
