import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import type { PixelDataElement } from './dicom-header.js';
import type { WsiInstance } from './wsi-instance.js';
import { concatBytes } from '../source/concat-bytes.js';

/** An encapsulated item's header: tag (FFFE,E000) little endian, then its 32-bit length. */
const ITEM = [0xfe, 0xff, 0x00, 0xe0] as const;
const ITEM_HEADER = 8;
/** No real frame is anywhere near this; a longer item is damage asking for a huge read. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export interface FrameRange {
  offset: number;
  length: number;
  /** The range holds item headers to strip (a frame in several fragments, or a range located by the Basic Offset Table). */
  items: boolean;
}

function corrupt(id: string, what: string): SlideError {
  return new SlideError('corrupt', `${id}: ${what}. The file is damaged.`, { source: id });
}

/** Reads an item header at `at` through `meta`: its value's length, or `corrupt` when no item is there. */
async function itemLength(meta: RangeSource, at: number, opts: ReadOptions): Promise<number> {
  const bytes = await meta.read(at, ITEM_HEADER, opts);
  if (!ITEM.every((b, i) => bytes[i] === b)) throw corrupt(meta.id, `no item header at offset ${at} where the pixel data's next item belongs`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (length > MAX_FRAME_BYTES) throw corrupt(meta.id, `an item of the pixel data claims ${length} bytes`);
  return length;
}

/**
 * Where each frame of an instance lies, found with as few small reads as the file allows: by arithmetic for native
 * pixel data; from the Extended Offset Table, else the Basic Offset Table (read once, 4 bytes per frame); else by
 * walking the item headers (8 bytes each, through the metadata cache) up to the frame asked for, remembering every
 * header found, one frame to an item. Walks are chained, so concurrent asks never walk twice.
 */
export class FrameLocator {
  readonly #instance: WsiInstance;
  readonly #meta: RangeSource;
  /** Offset of the first item after the Basic Offset Table item, once known. */
  #firstItem: Promise<{ at: number; bot: number[] }> | undefined;
  /** Item header offsets found by walking: frame i's item at `#walked[i]`. */
  readonly #walked: number[] = [];
  #walk: Promise<unknown> = Promise.resolve();

  readonly #pixelData: PixelDataElement;

  constructor(instance: WsiInstance, pixelData: PixelDataElement, meta: RangeSource) {
    this.#instance = instance;
    this.#pixelData = pixelData;
    this.#meta = meta;
  }

  async range(frame: number, opts: ReadOptions): Promise<FrameRange> {
    const { frames, frameWidth, frameHeight, samplesPerPixel, extendedOffsets } = this.#instance;
    const pixelData = this.#pixelData;
    const id = this.#meta.id;
    if (!pixelData.encapsulated) {
      const size = frameWidth * frameHeight * samplesPerPixel;
      if ((frame + 1) * size > (pixelData.length ?? 0)) throw corrupt(id, `frame ${frame} lies beyond the pixel data's ${pixelData.length} bytes`);
      return { offset: pixelData.offset + frame * size, length: size, items: false };
    }
    const { at, bot } = await this.#first(opts);
    if (extendedOffsets && extendedOffsets.offsets.length === frames) {
      const offset = at + extendedOffsets.offsets[frame]!;
      const length = extendedOffsets.lengths?.[frame];
      if (length !== undefined) return { offset: offset + ITEM_HEADER, length, items: false };
      return { offset: offset + ITEM_HEADER, length: await itemLength(this.#meta, offset, opts), items: false };
    }
    if (bot.length === frames && frames > 1) {
      const start = at + bot[frame]!;
      // A frame may span several fragments: its range runs to the next frame's start, item headers stripped later.
      const end = frame + 1 < frames ? at + bot[frame + 1]! : undefined;
      if (end === undefined) return { offset: start + ITEM_HEADER, length: await itemLength(this.#meta, start, opts), items: false };
      if (!(end > start)) throw corrupt(id, `the Basic Offset Table's entries for frames ${frame} and ${frame + 1} are not in order`);
      return { offset: start, length: end - start, items: true };
    }
    const item = await this.#itemOf(frame, at, opts);
    return { offset: item + ITEM_HEADER, length: await itemLength(this.#meta, item, opts), items: false };
  }

  /** The Basic Offset Table item (read whole: 4 bytes a frame, an offset table's one request) and where the items after it start. */
  #first(opts: ReadOptions): Promise<{ at: number; bot: number[] }> {
    this.#firstItem ??= (async () => {
      const start = this.#pixelData.offset;
      const length = await itemLength(this.#meta, start, opts);
      if (length % 4 !== 0 || length > this.#instance.frames * 4)
        throw corrupt(this.#meta.id, `a Basic Offset Table of ${length} bytes for ${this.#instance.frames} frames`);
      const bytes = length > 0 ? await this.#meta.read(start + ITEM_HEADER, length, opts) : new Uint8Array(0);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { at: start + ITEM_HEADER + length, bot: Array.from({ length: length / 4 }, (_, i) => view.getUint32(i * 4, true)) };
    })();
    this.#firstItem.catch(() => {
      this.#firstItem = undefined;
    });
    return this.#firstItem;
  }

  /** Frame `frame`'s item header by walking from the last one found. */
  #itemOf(frame: number, first: number, opts: ReadOptions): Promise<number> {
    const step = this.#walk.then(async () => {
      if (this.#walked.length === 0) this.#walked.push(first);
      while (this.#walked.length <= frame) {
        const at = this.#walked.at(-1)!;
        this.#walked.push(at + ITEM_HEADER + (await itemLength(this.#meta, at, opts)));
      }
      return this.#walked[frame]!;
    });
    this.#walk = step.catch(() => undefined);
    return step;
  }
}

/** A frame's bytes from a range that holds item headers (several fragments): the fragments' values, joined. */
export function joinFragments(bytes: Uint8Array, id: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  while (pos + ITEM_HEADER <= bytes.length) {
    if (!ITEM.every((b, i) => bytes[pos + i] === b)) throw corrupt(id, 'the pixel data holds something other than items where a frame belongs');
    const length = new DataView(bytes.buffer, bytes.byteOffset + pos + 4, 4).getUint32(0, true);
    if (pos + ITEM_HEADER + length > bytes.length) throw corrupt(id, 'a fragment runs past the frame the Basic Offset Table gives');
    parts.push(bytes.subarray(pos + ITEM_HEADER, pos + ITEM_HEADER + length));
    pos += ITEM_HEADER + length;
  }
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}
