import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { SharedTask } from '../source/shared-abort.js';
import { ByteView } from './byte-view.js';
import { fieldSize } from './tags.js';
import { decodeOne, decodeValues, type TagValue } from './values.js';

/** One directory entry. Values that fit in the entry are kept; larger ones are read when first asked for. */
export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Bytes of all values, when they sit inside the entry itself. */
  inline?: Uint8Array;
  /** File offset of the values otherwise. */
  valueOffset?: number;
}

export interface TiffContext {
  source: RangeSource;
  littleEndian: boolean;
  bigTiff: boolean;
  /**
   * Hamamatsu NDPI: classic TIFF with 64-bit offsets bolted on (its files pass 4 GB). Set by the reader when the first
   * directory carries NDPI's format tag; changes how every directory is parsed (see tiff-reader.ts).
   */
  ndpi: boolean;
  fileSize: number;
}

/** Above this, a value is only ever read in slices (tile offset arrays) or on explicit request. */
const MAX_EAGER_VALUE_BYTES = 64 * 1024 * 1024;

/** An image file directory: its entries, and values loaded on demand and then memoised. */
export class Ifd {
  readonly offset: number;
  readonly entries: ReadonlyMap<number, IfdEntry>;
  /** Offset of the next IFD in the chain, 0 at the end. */
  readonly next: number;
  readonly #ctx: TiffContext;
  readonly #values = new Map<number, TagValue | SharedTask<TagValue>>();
  /** Directories reached through this one's SubIFDs tag, filled by the reader. */
  subIfds: Ifd[] = [];

  constructor(ctx: TiffContext, offset: number, entries: Map<number, IfdEntry>, next: number) {
    this.#ctx = ctx;
    this.offset = offset;
    this.entries = entries;
    this.next = next;
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A value already in memory (inline, or loaded before), without I/O. */
  cached(tag: number): TagValue | undefined {
    const v = this.#values.get(tag);
    if (v !== undefined && !(v instanceof SharedTask)) return v;
    const entry = this.entries.get(tag);
    if (entry?.inline) {
      const value = decodeValues(new ByteView(entry.inline, this.#ctx.littleEndian), 0, entry.type, entry.count);
      this.#values.set(tag, value);
      return value;
    }
    return undefined;
  }

  /** The whole value of a tag, read on first use; undefined when the tag is absent. */
  async value(tag: number, opts: ReadOptions = {}): Promise<TagValue | undefined> {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    const cached = this.cached(tag);
    if (cached !== undefined) return cached;
    const pending = this.#values.get(tag);
    if (pending instanceof SharedTask) return pending.join(opts.signal, this.#ctx.source.id);
    const size = byteLength(entry);
    if (size > MAX_EAGER_VALUE_BYTES) {
      throw new SlideError('corrupt', `Tag ${tag} claims ${size} bytes of values, more than any slide needs: the file is corrupt.`, {
        source: this.#ctx.source.id,
      });
    }
    // Shared by every caller (a JPEGTables load wanted by a viewport's tiles at once): one caller panned
    // away must not fail the others, so the read is aborted only when all of them have.
    const loading = new SharedTask((signal) =>
      this.#ctx.source.read(entry.valueOffset!, size, { signal }).then(
        (bytes) => {
          const value = decodeValues(new ByteView(bytes, this.#ctx.littleEndian), 0, entry.type, entry.count);
          this.#values.set(tag, value);
          return value;
        },
        (e: unknown) => {
          this.#values.delete(tag);
          throw e;
        },
      ),
    );
    this.#values.set(tag, loading);
    return loading.join(opts.signal, this.#ctx.source.id);
  }

  /**
   * A tag's raw value bytes, read now and not kept: for large values that one caller uses once (an ICC profile,
   * megabytes on some scanners), which `value` would hold for the directory's lifetime.
   */
  async bytes(tag: number, opts: ReadOptions = {}): Promise<Uint8Array | undefined> {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    if (entry.inline) return entry.inline.slice(0, byteLength(entry));
    return this.#ctx.source.read(entry.valueOffset!, byteLength(entry), opts);
  }

  /** Loads several tags at once: their reads are issued together, so a block cache merges them. */
  async load(tags: readonly number[], opts: ReadOptions = {}): Promise<void> {
    await Promise.all(tags.map((t) => this.value(t, opts)));
  }

  /** First value of a numeric tag, from memory: callers `load` the tags they need first. */
  number(tag: number): number | undefined {
    const v = this.cached(tag);
    if (typeof v === 'string' || v === undefined) return undefined;
    return v[0];
  }

  string(tag: number): string | undefined {
    const v = this.cached(tag);
    return typeof v === 'string' ? v : undefined;
  }

  /**
   * One element of an array tag, reading only that element's bytes (never the whole array): a tile's offset
   * out of a TileOffsets array that may hold a million entries.
   */
  async element(tag: number, index: number, opts: ReadOptions = {}): Promise<number> {
    const entry = this.entries.get(tag);
    if (!entry) throw new SlideError('corrupt', `Tag ${tag} is missing from the directory at ${this.offset}.`, { source: this.#ctx.source.id });
    if (!Number.isInteger(index) || index < 0 || index >= entry.count) {
      throw new SlideError('out_of_bounds', `Element ${index} of tag ${tag} does not exist (it has ${entry.count}).`, { source: this.#ctx.source.id });
    }
    const whole = this.cached(tag);
    if (Array.isArray(whole)) return whole[index]!;
    // In memory but not numbers: a text type where offsets or counts belong (there is no valueOffset to read).
    if (whole !== undefined) {
      throw new SlideError('corrupt', `Tag ${tag} in the directory at ${this.offset} holds text where numbers belong: the file is damaged.`, {
        source: this.#ctx.source.id,
      });
    }
    const size = fieldSize(entry.type)!;
    const bytes = await this.#ctx.source.read(entry.valueOffset! + index * size, size, opts);
    return decodeOne(new ByteView(bytes, this.#ctx.littleEndian), 0, entry.type);
  }
}

export function byteLength(entry: IfdEntry): number {
  return entry.count * fieldSize(entry.type)!;
}
