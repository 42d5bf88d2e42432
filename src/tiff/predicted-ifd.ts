import { abandonOnAbort } from '../source/shared-abort.js';
import type { ReadOptions } from '../source/range-source.js';
import { Ifd, type TiffContext } from './ifd.js';
import { Tag } from './tags.js';
import type { TagValue } from './values.js';

/** Tags whose values belong to one directory alone: never taken from the level the prediction copies. */
const OWN_TAGS = new Set<number>([Tag.TileOffsets, Tag.TileByteCounts, Tag.JPEGTables, Tag.ImageDescription]);

/**
 * A pyramid level's directory before it has been read (see TiffReader.open): its size predicted, its other structure
 * as the first level's (one writer made both), and everything that needs its own bytes (tile offsets, JPEG tables)
 * waiting for `real`, the directory itself, which the walk of the chain brings once it gets there. Its offset is not
 * known until then (-1).
 */
export class PredictedIfd extends Ifd {
  readonly #template: Ifd;
  readonly #width: number;
  readonly #height: number;
  readonly #real: Promise<Ifd>;
  readonly #sourceId: string;
  #resolved: Ifd | undefined;

  constructor(ctx: TiffContext, template: Ifd, size: { width: number; height: number }, real: Promise<Ifd>) {
    super(ctx, -1, new Map(template.entries), 0);
    this.#template = template;
    this.#width = size.width;
    this.#height = size.height;
    this.#sourceId = ctx.source.id;
    this.#real = real;
    // A failure reaches whoever reads this level's tiles; none may go unhandled meanwhile.
    real.then(
      (ifd) => {
        this.#resolved = ifd;
      },
      () => undefined,
    );
  }

  override has(tag: number): boolean {
    return (this.#resolved ?? this.#template).has(tag);
  }

  override cached(tag: number): TagValue | undefined {
    if (this.#resolved) return this.#resolved.cached(tag);
    if (tag === Tag.ImageWidth) return [this.#width];
    if (tag === Tag.ImageLength) return [this.#height];
    return OWN_TAGS.has(tag) ? undefined : this.#template.cached(tag);
  }

  override async value(tag: number, opts: ReadOptions = {}): Promise<TagValue | undefined> {
    return (await this.#read(opts)).value(tag, opts);
  }

  override async bytes(tag: number, opts: ReadOptions = {}): Promise<Uint8Array | undefined> {
    return (await this.#read(opts)).bytes(tag, opts);
  }

  override async element(tag: number, index: number, opts: ReadOptions = {}): Promise<number> {
    return (await this.#read(opts)).element(tag, index, opts);
  }

  #read(opts: ReadOptions): Promise<Ifd> {
    return this.#resolved ? Promise.resolve(this.#resolved) : abandonOnAbort(this.#real, opts.signal, this.#sourceId);
  }
}
