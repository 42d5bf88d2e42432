import { LruMap } from '../source/lru.js';
import { SharedTask } from '../source/shared-abort.js';
import type { EncodedTile, Slide } from '../slide/types.js';

export interface TileCacheStats {
  hits: number;
  misses: number;
  /** Requests that joined a read already under way (the navigator and the main view wanting one tile). */
  shared: number;
  bytes: number;
  entries: number;
  /** Encoded bytes of every tile read so far (what the tiles drawn cost, compressed). */
  bytesRead: number;
}

/**
 * Encoded tiles kept in memory, bounded in bytes. Encoded tiles are about a tenth of their decoded size and
 * decode in a few milliseconds, so this holds ten times more of the slide than a bitmap cache would;
 * decoded tiles live in OpenSeadragon's own cache (`maxImageCacheCount`). Every caller gets its own copy
 * of the bytes, because decoding transfers them to a worker.
 */
export class TileBytesCache {
  readonly stats: TileCacheStats = { hits: 0, misses: 0, shared: 0, bytes: 0, entries: 0, bytesRead: 0 };
  readonly #slide: Slide;
  readonly #lru: LruMap<string, EncodedTile>;
  readonly #inFlight = new Map<string, SharedTask<EncodedTile>>();

  constructor(slide: Slide, maxBytes = 64 * 1024 * 1024) {
    this.#slide = slide;
    this.#lru = new LruMap(maxBytes);
  }

  /** A tile (of one channel, for slides whose channels are planes), from memory or read once however many ask. */
  async get(level: number, x: number, y: number, signal?: AbortSignal, channel = 0): Promise<EncodedTile> {
    const key = `${level}/${x}/${y}/${channel}`;
    const cached = this.#lru.get(key);
    if (cached) {
      this.stats.hits++;
      return { ...cached, bytes: cached.bytes.slice() };
    }
    let task = this.#inFlight.get(key);
    if (task) this.stats.shared++;
    else {
      this.stats.misses++;
      task = new SharedTask((shared) =>
        this.#slide.readTile(level, x, y, { signal: shared, ...(channel > 0 ? { channel } : {}) }).then(
          (tile) => {
            this.#inFlight.delete(key);
            this.#lru.set(key, tile, tile.bytes.length);
            this.stats.bytesRead += tile.bytes.length;
            this.stats.bytes = this.#lru.weight;
            this.stats.entries = this.#lru.size;
            return tile;
          },
          (error: unknown) => {
            this.#inFlight.delete(key);
            throw error;
          },
        ),
      );
      this.#inFlight.set(key, task);
    }
    const tile = await task.join(signal);
    return { ...tile, bytes: tile.bytes.slice() };
  }
}
