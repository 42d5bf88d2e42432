import OpenSeadragon from 'openseadragon';
import { pixelsBitmap } from '../codec/pixels-bitmap.js';
import { DECODED_IN_WASM } from '../codec/wasm-assets.js';
import { SlideError } from '../errors.js';
import type { Slide } from '../slide/types.js';
import type { SlideLevel } from '../slide/types.js';
import { displayLevels } from './display-levels.js';
import { OneWorkerUntil } from './one-worker-until.js';
import type { DecoderPool } from '../workers/pool.js';
import { LevelMap, tileImageRect } from './level-map.js';
import { type ChannelSettings, compositePlanes, defaultChannelSettings } from './channel-composite.js';
import { ChannelPlanes } from './channel-planes.js';
import { TileBytesCache } from './tile-bytes-cache.js';
import type { HomeViewPixels } from './home-view-pixels.js';

/** Marks jobs we settle because the viewer no longer wants the tile, so the viewer can let OSD retry them later. */
export const STALE_TILE = 'wsi-stream: tile no longer wanted';

interface TilePostData {
  level: number;
  x: number;
  y: number;
}

interface InFlight {
  job: OpenSeadragon.ImageJob;
  controller: AbortController;
  settled: boolean;
}

export interface TileEvents {
  loaded?(tile: TilePostData): void;
  failed?(tile: TilePostData, error: SlideError): void;
}

/**
 * An OpenSeadragon tile source over a Slide: tiles read by range and decoded in the worker pool to
 * ImageBitmaps. Non-power-of-two pyramids keep their true scales; edge tiles come at their true size.
 */
export class SlideTileSource extends OpenSeadragon.TileSource {
  readonly slide: Slide;
  readonly levelMap: LevelMap;
  /** What the viewer draws: the slide's levels and possibly the thumbnail as a coarser overview level. */
  readonly levels: readonly SlideLevel[];
  readonly #overviewLevel: number | undefined;
  readonly #pool: DecoderPool;
  readonly #inFlight = new Set<InFlight>();
  /** Tiles read and decoded ahead of OpenSeadragon's asking (fetchAhead), by `level/x/y`, until a job takes each. */
  readonly #early = new Map<string, Promise<ImageBitmap>>();
  readonly #events: TileEvents;
  readonly tileCache: TileBytesCache;
  /**
   * The pool's id of the slide's ICC profile while colour management is on (a promise of it while it is being read and
   * registered; undefined in it if that failed); tiles decoded after a change use it.
   */
  colourProfile: number | Promise<number | undefined> | undefined;
  /** The data type tiles are handed to OpenSeadragon as: plain bitmaps, or for a Display P3 canvas, DISPLAY_P3_BITMAP. */
  bitmapType = 'imageBitmap';
  /** Slides whose channels are planes (fluorescence): each tile is composited from them with these settings. */
  readonly channels?: ChannelSettings[];
  readonly planes?: ChannelPlanes;
  /** Bumped on every change of `channels`, so a composite drawn with old settings is never taken for a new one. */
  channelVersion = 0;
  /** Where the home view's tiles decoded in WASM are kept across visits (see fetchAhead), when the viewer keeps them. */
  homeViewPixels?: HomeViewPixels;

  constructor(slide: Slide, pool: DecoderPool, events: TileEvents = {}, tileCacheBytes?: number) {
    const { levels, overview } = displayLevels(slide);
    super({
      width: slide.width,
      height: slide.height,
      tileSize: slide.levels[0]!.tileWidth,
      tileOverlap: 0,
      minLevel: 0,
      maxLevel: levels.length - 1,
    } as OpenSeadragon.TileSourceOptions);
    this.slide = slide;
    this.levels = levels;
    this.#overviewLevel = overview ? levels.length - 1 : undefined;
    this.levelMap = new LevelMap(levels);
    this.#pool = pool;
    this.#events = events;
    this.tileCache = new TileBytesCache(slide, tileCacheBytes);
    if (slide.channels) {
      this.channels = defaultChannelSettings(slide);
      this.planes = new ChannelPlanes(this.tileCache, pool, slide.channels.length);
    }
  }

  override getLevelScale(level: number): number {
    return this.levelMap.scale(level);
  }

  override getNumTiles(level: number): OpenSeadragon.Point {
    const l = this.levelMap.level(level);
    return new OpenSeadragon.Point(l.tilesX, l.tilesY);
  }

  override getTileWidth(level: number): number {
    return this.levelMap.level(level).tileWidth;
  }

  override getTileHeight(level: number): number {
    return this.levelMap.level(level).tileHeight;
  }

  /**
   * Tile bounds on the level's own pixel grid at the level's width ratio on both axes, so a level is drawn
   * pixel for pixel at its zoom, as OpenSlide reads it. (A level's height ratio can differ slightly —
   * 8880×11868 → 138×185 is 64.35 across and 64.15 down — which shifts the bottom of a coarse level by
   * under one of its own pixels; stretching it instead would resample every pixel.) Edge tiles keep their
   * true size. Viewport units are full-resolution pixels over the full-resolution width.
   */
  override getTileBounds(level: number, x: number, y: number, isSource?: boolean): OpenSeadragon.Rect {
    const l = this.levelMap.level(level);
    const rect = tileImageRect(l, this.levels[0]!, x, y);
    const scale = this.levels[0]!.width / l.width;
    if (isSource) return new OpenSeadragon.Rect(0, 0, rect.width / scale, rect.height / scale);
    const unit = this.levels[0]!.width;
    return new OpenSeadragon.Rect(rect.x / unit, rect.y / unit, rect.width / unit, rect.height / unit);
  }

  override tileExists(level: number, x: number, y: number): boolean {
    if (level < 0 || level > this.levelMap.maxOsdLevel) return false;
    const l = this.levelMap.level(level);
    return x >= 0 && y >= 0 && x < l.tilesX && y < l.tilesY;
  }

  /** Not a URL: OpenSeadragon uses it as the tile's cache key, so it names the slide and the native tile. */
  override getTileUrl(level: number, x: number, y: number): string {
    // The colour mode is part of the key: a tile drawn in sRGB and its stored values are two images.
    // So are the channel settings a composite was made with.
    const look = this.channels ? `@channels${this.channelVersion}` : this.colourProfile === undefined ? '' : '@icc';
    return `wsi-stream:${this.slide.sourceId}/${this.levelMap.toSlide(level)}/${x}/${y}${look}`;
  }

  override getTilePostData(level: number, x: number, y: number): TilePostData {
    return { level: this.levelMap.toSlide(level), x, y };
  }

  override getTileHashKey(_level: number, _x: number, _y: number, url: string): string {
    return url;
  }

  override downloadTileStart(job: OpenSeadragon.ImageJob): void {
    const tile = job.postData as unknown as TilePostData;
    const entry: InFlight = { job, controller: new AbortController(), settled: false };
    (job.userData as { wsi?: InFlight }).wsi = entry;
    this.#inFlight.add(entry);
    const { signal } = entry.controller;
    const drawn = this.#takeEarly(tile) ?? this.#draw(tile, signal);
    drawn.then(
      (bitmap) => {
        if (!this.#settle(entry)) return bitmap.close();
        job.finish(bitmap, null, this.bitmapType);
        this.#events.loaded?.(tile);
      },
      (error: unknown) => {
        if (!this.#settle(entry)) return;
        if (SlideError.is(error) && error.code === 'aborted') return job.fail(STALE_TILE, null);
        const slideError = SlideError.is(error) ? error : new SlideError('worker_failed', String(error), { cause: error });
        // Reported before OpenSeadragon hears of it: the viewer decides here whether the tile will be asked for again.
        this.#events.failed?.(tile, slideError);
        job.fail(`${slideError.code}: ${slideError.message}`, null);
      },
    );
  }

  /** Waits for a profile still being registered: the tile's bytes are fetched meanwhile, only its decoding waits. */
  async #decodeOptions(signal: AbortSignal) {
    const profile = await this.colourProfile;
    return { signal, ...(profile === undefined ? {} : { profile }) };
  }

  /** A fluorescence tile: its channel planes (held, or read and decoded once) composited with the current settings. */
  async #composite(planes: ChannelPlanes, tile: TilePostData, signal: AbortSignal): Promise<ImageBitmap> {
    const held = await planes.get(tile.level, tile.x, tile.y, signal);
    const { width, height } = held[0]!;
    const rgba = compositePlanes(held, this.channels!, width, height);
    return createImageBitmap(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height));
  }

  /**
   * A tile as the drawer gets it: the overview, a fluorescence composite, or a tile read and decoded. With `keeper`,
   * a tile a worker decodes in WASM comes back as pixels, which are kept there for the next visit and made a bitmap here.
   */
  #draw(tile: TilePostData, signal: AbortSignal, wasmTurns?: OneWorkerUntil, keeper?: HomeViewPixels): Promise<ImageBitmap> {
    if (tile.level === this.#overviewLevel) return this.#overview(signal);
    if (this.planes) return this.#composite(this.planes, tile, signal);
    return this.tileCache.get(tile.level, tile.x, tile.y, signal).then((encoded) => {
      const inWasm = DECODED_IN_WASM.has(encoded.codec);
      const decode = async (worker?: number) => {
        const options = { ...(await this.#decodeOptions(signal)), ...(worker === undefined ? {} : { worker }) };
        if (!keeper || !inWasm) return this.#pool.decodeBitmap(encoded, options);
        const pixels = await this.#pool.decode(encoded, options);
        keeper.keep(tile, encoded.codec, pixels, options.profile !== undefined);
        return pixelsBitmap(pixels);
      };
      return wasmTurns && inWasm ? wasmTurns.run(decode, signal) : decode();
    });
  }

  /** A home-view tile: from the pixels kept at an earlier visit (no read, no decode) where there are some, else drawn and kept. */
  async #drawAhead(tile: TilePostData, signal: AbortSignal, wasmTurns?: OneWorkerUntil): Promise<ImageBitmap> {
    const keeper = this.homeViewPixels;
    if (!keeper || tile.level === this.#overviewLevel) return this.#draw(tile, signal, wasmTurns);
    const kept = await keeper.bitmap(tile, this.colourProfile !== undefined, signal);
    return kept ?? this.#draw(tile, signal, wasmTurns, keeper);
  }

  /**
   * Reads and decodes now what OpenSeadragon will ask for first (every tile of `levels`: the home view), so its reads
   * go out and its decoding runs while the viewer is still being built, instead of after its first frame. Each tile's
   * job then takes its bitmap (or the read or decode still under way). Fluorescence slides are left out: their
   * composites wait for the channels' contrast. `signal` stops it all and frees what no job took (viewer destroyed).
   * Tiles a worker decodes in WASM (tens of ms each) are decoded on one worker, two at a time, until
   * `wasmOnOneWorkerUntil` settles (the viewer's first frame), then on both: on two cores, JPEG 2000 decoding on both
   * workers beside OpenSeadragon's first frame made that frame a long task (51–91 ms in 5 of 8 cold loads of the 33005
   * fixture), and holding every decode back until the frame made the first viewport 40 ms later. One at a time (the
   * rule before this one), 33005's first viewport came 33 ms sooner than held back; two at a time on one worker, which
   * then never waits for the main thread between tiles, 32 and 39 ms sooner again from the first request (two runs of
   * 10 cold loads each), with as many tasks over 50 ms (see OneWorkerUntil and the README's Decoding section).
   * Those tiles' pixels are kept across visits where `homeViewPixels` is set (see HomeViewPixels).
   */
  fetchAhead(levels: readonly number[], signal: AbortSignal, wasmOnOneWorkerUntil?: Promise<unknown>): void {
    if (this.planes) return;
    const wasmTurns = wasmOnOneWorkerUntil ? new OneWorkerUntil(wasmOnOneWorkerUntil) : undefined;
    for (const level of levels) {
      const { tilesX, tilesY } = this.levels[level]!;
      for (let y = 0; y < tilesY; y++) {
        for (let x = 0; x < tilesX; x++) {
          const drawn = this.#drawAhead({ level, x, y }, signal, wasmTurns);
          drawn.catch(() => undefined);
          this.#early.set(`${level}/${x}/${y}`, drawn);
        }
      }
    }
    this.homeViewPixels?.writeAfter(Promise.allSettled(this.#early.values()));
    signal.addEventListener(
      'abort',
      () => {
        for (const drawn of this.#early.values())
          drawn.then(
            (bitmap) => bitmap.close(),
            () => undefined,
          );
        this.#early.clear();
      },
      { once: true },
    );
  }

  /**
   * The tile fetched ahead, once; undefined when it was not. A failure comes out as the job's own would have (a
   * network error after the source's retries, a crashed worker), so the viewer's retry rules decide what happens next.
   */
  #takeEarly(tile: TilePostData): Promise<ImageBitmap> | undefined {
    const key = `${tile.level}/${tile.x}/${tile.y}`;
    const early = this.#early.get(key);
    this.#early.delete(key);
    return early;
  }

  /** The embedded thumbnail as one bitmap: its strips (one request) decoded in the pool and stacked, or joined and decoded whole. */
  async #overview(signal: AbortSignal): Promise<ImageBitmap> {
    const image = await this.slide.readAssociated('thumbnail', { signal });
    const options = await this.#decodeOptions(signal);
    const strips = await Promise.all(image.strips.map((strip) => this.#pool.decodeBitmap(strip, options)));
    // Strips joined into one JPEG (as Aperio's are) decode to the whole image: nothing to stack.
    const only = strips.length === 1 ? strips[0]! : undefined;
    if (only && image.strips[0]!.top === 0 && only.width === image.width && only.height === image.height) return only;
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d')!;
    strips.forEach((bitmap, i) => {
      context.drawImage(bitmap, 0, image.strips[i]!.top);
      bitmap.close();
    });
    return canvas.transferToImageBitmap();
  }

  /** OpenSeadragon calls this on its own timeout, and fails the job itself: only stop our work here. */
  override downloadTileAbort(job: OpenSeadragon.ImageJob): void {
    const entry = (job.userData as { wsi?: InFlight }).wsi;
    if (!entry) return;
    this.#settle(entry);
    entry.controller.abort();
  }

  /** Aborts the fetch and decode of in-flight tiles `wanted` rejects (off screen, or far finer than the zoom needs). */
  abortUnwanted(wanted: (tile: TilePostData, job: OpenSeadragon.ImageJob) => boolean): number {
    let aborted = 0;
    for (const entry of this.#inFlight) {
      if (!entry.settled && !wanted(entry.job.postData as unknown as TilePostData, entry.job)) {
        entry.controller.abort();
        aborted++;
      }
    }
    return aborted;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** True the first time only: every job is settled exactly once. */
  #settle(entry: InFlight): boolean {
    this.#inFlight.delete(entry);
    if (entry.settled) return false;
    entry.settled = true;
    return true;
  }
}
