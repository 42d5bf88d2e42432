import type { ColourTransform } from '../colour/colour-transform.js';
import { SlideError } from '../errors.js';
import { slideColourTransform } from '../colour/slide-colour.js';
import { openSlide } from '../slide/open-slide.js';
import type { Slide } from '../slide/types.js';
import type { RangeSource } from '../source/range-source.js';
import type { SlideStore } from './store.js';
import { channelPlanes, type TileLook } from './render.js';
import { autoRanges, type ChannelSettings, defaultChannelSettings } from '../viewer/channel-composite.js';

/**
 * Open slides by id, at most `max`, least recently used closed first; concurrent opens of one id share one.
 * Memory is bounded twice: by the number of slides, and by each slide's share of the metadata budget.
 */
export class SlideCache {
  readonly #store: SlideStore;
  readonly #max: number;
  readonly #blockSize: number;
  readonly #metadataBytesPerSlide: number;
  readonly #open = new Map<string, Promise<Slide>>();
  readonly #opened = new Map<string, Slide>();
  /** Each open slide's profile-to-sRGB transform (undefined: no profile, or one LittleCMS cannot use), made on first use. */
  readonly #colour = new Map<string, Promise<ColourTransform | undefined>>();
  /** Each open fluorescence slide's channel settings, made on first use. */
  readonly #channels = new Map<string, Promise<ChannelSettings[]>>();

  readonly #timeoutMs: number;

  constructor(store: SlideStore, max: number, blockSize: number, timeoutMs: number, metadataBytes: number) {
    this.#store = store;
    this.#max = Math.max(1, max);
    this.#blockSize = blockSize;
    this.#timeoutMs = timeoutMs;
    // Each open slide gets an equal share; at least one block, or it could not hold the block it is reading.
    this.#metadataBytesPerSlide = Math.max(blockSize, Math.floor(metadataBytes / this.#max));
  }

  get size(): number {
    return this.#open.size;
  }

  /** Metadata bytes held by the open slides together. */
  get metadataBytes(): number {
    let total = 0;
    for (const slide of this.#opened.values()) total += slide.ioStats().metadataCacheBytes;
    return total;
  }

  /** An open slide. Shared by every request that wants it, so no one request's disconnect aborts the open; a timeout does. */
  get(id: string): Promise<Slide> {
    const existing = this.#open.get(id);
    if (existing) {
      this.#open.delete(id);
      this.#open.set(id, existing);
      return existing;
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let sources: RangeSource[] = [];
    // A series in a bucket is found by listing first, within the same timeout as the open.
    const opening = (async () => {
      const source = await this.#store.source(id, signal);
      if (typeof source === 'string') return openSlide(source, { dicomweb: this.#store.dicomWebOptions?.() ?? {}, signal });
      sources = Array.isArray(source) ? source : [source];
      return openSlide(source, { cache: { blockSize: this.#blockSize, maxBytes: this.#metadataBytesPerSlide }, signal });
    })();
    this.#open.set(id, opening);
    opening.then(
      (slide) => {
        if (this.#open.get(id) === opening) this.#opened.set(id, slide);
      },
      () => {
        if (this.#open.get(id) === opening) this.#open.delete(id);
        for (const s of sources) void s.close?.();
      },
    );
    for (const [oldest, slide] of this.#open) {
      if (this.#open.size <= this.#max) break;
      this.#open.delete(oldest);
      this.#opened.delete(oldest);
      this.#dropLook(oldest);
      void slide.then(
        (s) => s.close(),
        () => undefined,
      );
    }
    return opening;
  }

  /**
   * The colour transform for an open slide's pixels: its ICC profile to sRGB, as thumbnails and re-encoded tiles
   * are served. A profile that cannot be used leaves the stored colours (the slide is still served).
   */
  colour(id: string, slide: Slide): Promise<ColourTransform | undefined> {
    let colour = this.#colour.get(id);
    if (!colour) {
      colour = slideColourTransform(slide, { signal: AbortSignal.timeout(this.#timeoutMs) }).catch((e: unknown) => {
        if (SlideError.is(e) && e.code === 'unsupported_colour_profile') return undefined;
        // Reading the profile failed (storage, timeout): try again with the next request.
        this.#colour.delete(id);
        throw e;
      });
      this.#colour.set(id, colour);
    }
    return colour;
  }

  /**
   * How an open slide's tiles are drawn: through its colour transform, or for a fluorescence slide composited from its
   * channels with the viewer's opening settings (the file's colours, ranges from a coarse level's histogram).
   */
  async look(id: string, slide: Slide): Promise<TileLook> {
    if (!slide.channels) {
      const colour = await this.colour(id, slide);
      return colour ? { colour } : {};
    }
    let channels = this.#channels.get(id);
    if (!channels) {
      const signal = AbortSignal.timeout(this.#timeoutMs);
      const settings = defaultChannelSettings(slide);
      channels = autoRanges(slide, (level, x, y) => channelPlanes(slide, level, x, y, signal)).then(
        (ranges) => settings.map((s, c) => ({ ...s, ...ranges[c] })),
        (e: unknown) => {
          this.#channels.delete(id);
          throw e;
        },
      );
      this.#channels.set(id, channels);
    }
    return { channels: await channels };
  }

  #dropLook(id: string): void {
    void this.#colour.get(id)?.then((c) => c?.close());
    this.#colour.delete(id);
    this.#channels.delete(id);
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    for (const id of this.#colour.keys()) this.#dropLook(id);
    this.#open.clear();
    this.#opened.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (s) => s.close(),
          () => undefined,
        ),
      ),
    );
  }
}
