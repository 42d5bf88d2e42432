import { pixelsBitmap } from '../codec/pixels-bitmap.js';
import type { TilePixels } from '../codec/types.js';
import { wasmFile } from '../codec/wasm-assets.js';
import type { OutputColourSpace } from '../colour/output-space.js';
import { PACKAGE_VERSION } from '../package-version.js';
import { throwIfAborted } from '../errors.js';
import { DEFAULT_CACHE_DB, cacheNote, noteCached } from '../source/cache-hint.js';
import { fnv1a } from '../source/checksum.js';
import { IdbStore } from '../source/idb-store.js';
import { nextTask } from '../source/next-task.js';
import type { PersistentCacheOptions } from '../source/persistent-cache.js';
import type { TileCodec } from '../slide/types.js';
import type { TilePosition } from './create-viewer.js';

/** Bump whenever a change of ours alters the pixels a tile decodes to: entries of another format are never shown. */
const FORMAT = 1;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface HomeViewPixelStats {
  /** Tiles drawn from kept pixels, without a read or a decode. */
  hits: number;
  /** Lookups that found nothing usable (never kept, evicted, another decoder or colour). */
  misses: number;
  /** Entries found damaged or not ours, dropped. */
  dropped: number;
  /** Tiles decoded here whose pixels were handed over to be kept (written once the home view is decoded). */
  kept: number;
  /** IndexedDB failures; after one, nothing is looked up or kept. */
  errors: number;
  bytesStored: number;
}

/** What `keep` was handed, waiting for its write (its key made then, from the note of the slide's version then). */
interface Pending {
  tile: TilePosition;
  colourManaged: boolean;
  /** The version noted when the tile was decoded, if one was yet: the entry is not written under another. */
  version: string | undefined;
  fields: Omit<Entry, 'sum' | 'key'>;
}

interface Entry {
  v: typeof FORMAT;
  key: string;
  codec: TileCodec;
  /** What decoded (and colour-converted) the pixels (see decoderOf): another version's or decoder's are not shown. */
  decoder: string;
  width: number;
  height: number;
  colorSpace: OutputColourSpace;
  data: Uint8ClampedArray;
  sum: number;
}

/** The pixels' checksum, over a byte view of them (fnv1a stays monomorphic on the persistent cache's tile path). */
function pixelSum(data: Uint8ClampedArray): number {
  return fnv1a(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * What made a tile's pixels: this package's version and the WASM files that ran, its codec's and LittleCMS's where an
 * ICC profile converted them (an app's bundler names those files by their content's hash; the npm package's own build
 * and the script-tag bundle do not, hence the version too).
 */
function decoderOf(codec: TileCodec, colourManaged: boolean): string | undefined {
  const codecWasm = wasmFile(codec);
  if (codecWasm === undefined) return undefined;
  return `wsi-stream ${PACKAGE_VERSION} ${codecWasm}${colourManaged ? ` ${wasmFile('littlecms')}` : ''}`;
}

/**
 * The home view's tiles as decoded at an earlier visit, kept in IndexedDB for slides a worker decodes in WASM. A reload
 * of a JPEG 2000 slide otherwise waits for OpenJPEG to compile again (lazily, on each function's first call: its first
 * tile takes 30–40 ms where later ones take 5–10) and for every home-view tile's decode; kept pixels are one IndexedDB
 * read and a bitmap. Only the home view is kept (a few MB a slide): a reload opens on it, and the persistent cache holds
 * every other tile's bytes. Entries are keyed by the slide's identity, size and ETag as the persistent cache last
 * noted them (a slide that changed, or was never noted, is never looked up), the tile and the colour mode, and name
 * what made them (this package's version, the WASM files) and our format: pixels are only ever shown by the decoder and
 * the code that made them.
 */
export class HomeViewPixels {
  readonly stats: HomeViewPixelStats = { hits: 0, misses: 0, dropped: 0, kept: 0, errors: 0, bytesStored: 0 };
  readonly #sourceId: string;
  /**
   * The canvas's colour space, part of a colour-managed tile's key: the viewer sets it once the slide is open (it
   * depends on the slide's profile), before any tile is looked up or kept.
   */
  output: OutputColourSpace = 'srgb';
  readonly #noteDb: string;
  readonly #store: IdbStore;
  readonly #pending: Pending[] = [];
  #writing?: Promise<void>;
  #homeViewDecoded: Promise<unknown> = Promise.resolve();
  /** Every entry kept for the slide, by key, where they were read as the viewer started (see preload), until taken. */
  #preloaded?: Promise<Map<string, unknown>>;

  constructor(sourceId: string, options: { dbName?: string; maxBytes?: number } = {}) {
    this.#sourceId = sourceId;
    this.#noteDb = options.dbName ?? DEFAULT_CACHE_DB;
    this.#store = new IdbStore(this.stats, { dbName: `${this.#noteDb}-pixels`, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
  }

  /**
   * Reads every tile kept for the slide (its version as noted now) in one request, before the slide is open, for the
   * lookups that follow. Looked up tile by tile once the open had placed the home view, on warm reloads of the 33005
   * fixture they arrived 39–96 ms after the open, beside OpenSeadragon's first frame, and the view waited for them;
   * read beside the open's own reads from IndexedDB, they are there before it ends. Nothing is read where the slide's
   * note does not say tiles of it were kept.
   */
  preload(): void {
    const version = this.#version('kept before');
    if (version === undefined) return;
    const entries = this.#store.valuesWithPrefix(`${this.#sourceId}|${version}|`);
    this.#preloaded = entries.then((values) => new Map(values.map((value) => [(value as Partial<Entry> | null)?.key ?? '', value])));
  }

  /**
   * The tile's kept pixels as a bitmap; undefined where none were kept for it in this colour mode (at once, without
   * asking IndexedDB, where the slide's note does not say some tiles of it were kept).
   */
  async bitmap(tile: TilePosition, colourManaged: boolean, signal: AbortSignal): Promise<ImageBitmap | undefined> {
    const version = this.#version('kept before');
    if (version === undefined) return undefined;
    const key = this.#key(version, tile, colourManaged);
    // A version changed since the preload (the slide changed on the server) has other keys: they are not in the map.
    const value = this.#preloaded ? takeFrom(await this.#preloaded, key) : await this.#store.lookup(key);
    throwIfAborted(signal);
    const entry = value === undefined ? undefined : this.#valid(value, key, colourManaged);
    if (!entry) {
      if (value !== undefined) {
        this.stats.dropped++;
        this.#store.delete(key);
      }
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    this.#store.touch(key, entry.data.length);
    return pixelsBitmap(entry);
  }

  /**
   * Kept tiles wait for `decoded` (every home-view tile decoded) before they go to IndexedDB, one per idle period: on
   * two cores a cold load of a JPEG 2000 slide is short of CPU already, and checksums and IndexedDB's writes beside its
   * decodes (in a first version, which also looked every slide up) made its first viewport 37–75 ms later and its tasks
   * longer (`npm run bench:reload -- --against`, 2026-12-07).
   */
  writeAfter(decoded: Promise<unknown>): void {
    this.#homeViewDecoded = decoded;
    // Entries the home view did not take (kept for another viewport's) are not held in memory beyond it.
    void decoded.finally(() => (this.#preloaded = undefined));
  }

  /** Keeps a tile's pixels, decoded by `codec`'s WASM, for the next visit (see writeAfter); nothing for a codec not decoded in WASM. */
  keep(tile: TilePosition, codec: TileCodec, pixels: TilePixels, colourManaged: boolean): void {
    const decoder = decoderOf(codec, colourManaged);
    if (decoder === undefined) return;
    const { width, height, colorSpace, data } = pixels;
    // A cold load's first tiles may be decoded before the persistent cache has noted the slide's size and ETag.
    const version = this.#version('to keep');
    this.#pending.push({ tile, colourManaged, version, fields: { v: FORMAT, codec, decoder, width, height, colorSpace, data } });
    this.stats.kept++;
    this.#writing ??= this.#writeLater();
  }

  async #writeLater(): Promise<void> {
    await this.#homeViewDecoded;
    await this.#idle();
    for (let pending = this.#pending.shift(); pending; pending = this.#pending.shift()) {
      const version = this.#version('to keep');
      if (version === undefined || (pending.version !== undefined && pending.version !== version)) continue;
      const { fields, tile, colourManaged } = pending;
      const key = this.#key(version, tile, colourManaged);
      const entry: Entry = { ...fields, key, sum: pixelSum(fields.data) };
      void this.#store.put(key, entry, fields.data.length).then((stored) => stored && this.#noteKept());
      await this.#idle();
    }
    this.#writing = undefined;
  }

  /** Noted once an entry is there: the next visit looks its tiles up; a slide none were kept of never waits for IndexedDB. */
  #noteKept(): void {
    if (!cacheNote(this.#noteDb, this.#sourceId).homeViewPixels) noteCached(this.#noteDb, this.#sourceId, { homeViewPixels: true });
  }

  /** An idle period (or a second later at most); the next task where the browser cannot say. */
  #idle(): Promise<void> {
    if (typeof requestIdleCallback === 'undefined') return nextTask();
    return new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 1_000 }));
  }

  /**
   * The slide's size and ETag as the persistent cache noted them; undefined while it has not (nothing kept could be
   * checked against them), and for a lookup, while the note does not say tiles of the slide were kept.
   */
  #version(use: 'kept before' | 'to keep'): string | undefined {
    const { manifest, homeViewPixels } = cacheNote(this.#noteDb, this.#sourceId);
    if (!manifest || (use === 'kept before' && !homeViewPixels)) return undefined;
    return `${manifest.size}|${manifest.etag}`;
  }

  #key(version: string, tile: TilePosition, colourManaged: boolean): string {
    const mode = colourManaged ? `icc>${this.output}` : 'as-stored';
    return `${this.#sourceId}|${version}|${tile.level}/${tile.x}/${tile.y}|${mode}`;
  }

  /** Only an entry of our format, for this key, from the decoder that would decode the tile now, with intact pixels. */
  #valid(value: unknown, key: string, colourManaged: boolean): Entry | undefined {
    const e = value as Partial<Entry> | null;
    if (!e || typeof e !== 'object' || e.v !== FORMAT || e.key !== key || !(e.data instanceof Uint8ClampedArray)) return undefined;
    const { width, height, data, colorSpace, codec } = e;
    if (typeof width !== 'number' || typeof height !== 'number' || data.length !== width * height * 4) return undefined;
    if (colorSpace !== 'srgb' && colorSpace !== 'display-p3') return undefined;
    if (typeof codec !== 'string' || e.decoder !== decoderOf(codec, colourManaged) || e.sum !== pixelSum(data)) return undefined;
    return e as Entry;
  }
}

/** A map's value under `key`, removed from it: a preloaded tile's pixels are held until drawn, not after. */
function takeFrom(map: Map<string, unknown>, key: string): unknown {
  const value = map.get(key);
  map.delete(key);
  return value;
}

/** The store the viewer keeps its home view's pixels in, as the slide's persistent cache is set up; none where it is off. */
export function homeViewPixels(sourceId: string, persistentCache: PersistentCacheOptions | boolean): HomeViewPixels | undefined {
  if (persistentCache === false || typeof indexedDB === 'undefined') return undefined;
  const options = persistentCache === true ? {} : persistentCache;
  if (options.homeViewPixelBytes === 0) return undefined;
  return new HomeViewPixels(sourceId, {
    ...(options.dbName ? { dbName: options.dbName } : {}),
    ...(options.homeViewPixelBytes ? { maxBytes: options.homeViewPixelBytes } : {}),
  });
}
