import type { SamplePlane } from '../codec/plane.js';
import { LruMap } from '../source/lru.js';
import { SharedTask } from '../source/shared-abort.js';
import type { DecoderPool } from '../workers/pool.js';
import type { TileBytesCache } from './tile-bytes-cache.js';

/**
 * The decoded channel planes of tiles, bounded in bytes: a change of a channel's colour, range or visibility
 * composites again from these, with no request and no decode. Every channel of a tile is read and decoded, hidden
 * ones too, so that turning a channel on costs nothing either. Planes are never transferred, so callers share them.
 */
export class ChannelPlanes {
  readonly #lru: LruMap<string, SamplePlane[]>;
  readonly #inFlight = new Map<string, SharedTask<SamplePlane[]>>();
  readonly #tiles: TileBytesCache;
  readonly #pool: DecoderPool;
  readonly #channels: number;

  constructor(tiles: TileBytesCache, pool: DecoderPool, channels: number, maxBytes = 192 * 1024 * 1024) {
    this.#tiles = tiles;
    this.#pool = pool;
    this.#channels = channels;
    this.#lru = new LruMap(maxBytes);
  }

  get(level: number, x: number, y: number, signal?: AbortSignal): Promise<SamplePlane[]> {
    const key = `${level}/${x}/${y}`;
    const held = this.#lru.get(key);
    if (held) return Promise.resolve(held);
    let task = this.#inFlight.get(key);
    if (!task) {
      task = new SharedTask(async (shared) => {
        try {
          const planes = await Promise.all(
            Array.from({ length: this.#channels }, async (_, channel) =>
              this.#pool.decodePlane(await this.#tiles.get(level, x, y, shared, channel), { signal: shared }),
            ),
          );
          this.#lru.set(
            key,
            planes,
            planes.reduce((sum, p) => sum + p.values.byteLength, 0),
          );
          return planes;
        } finally {
          this.#inFlight.delete(key);
        }
      });
      this.#inFlight.set(key, task);
    }
    return task.join(signal);
  }
}
