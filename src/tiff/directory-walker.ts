import { SlideError, throwIfAborted } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import { ByteView } from './byte-view.js';
import { Ifd, byteLength, type IfdEntry, type TiffContext } from './ifd.js';
import { FieldType, fieldSize, NDPI_FORMAT_FLAG, Tag } from './tags.js';

/** Tags every directory needs to be classified; all small. Offsets arrays, tables and profiles stay lazy. */
const STRUCTURE_TAGS = [
  Tag.NewSubfileType,
  Tag.ImageWidth,
  Tag.ImageLength,
  Tag.BitsPerSample,
  Tag.Compression,
  Tag.Photometric,
  Tag.ImageDescription,
  Tag.SamplesPerPixel,
  Tag.RowsPerStrip,
  Tag.PlanarConfiguration,
  Tag.TileWidth,
  Tag.TileLength,
  Tag.SubIFDs,
  Tag.SampleFormat,
  Tag.YCbCrSubsampling,
  Tag.XResolution,
  Tag.YResolution,
  Tag.ResolutionUnit,
  Tag.Predictor,
  Tag.ExtraSamples,
] as const;
/** Guards against hostile files: real slides have a few dozen directories of a few dozen entries. */
const MAX_DIRECTORIES = 1024;
const MAX_ENTRIES = 4096;
/** Entries of one IFD fetched by the first read, so most directories and the values after them come in one request. */
const IFD_READ_AHEAD_ENTRIES = 64;
/** Walks IFD chains and SubIFDs once each, refusing loops and absurd sizes. */
export class DirectoryWalker {
  readonly #ctx: TiffContext;
  readonly #opts: ReadOptions;
  readonly #seen = new Set<number>();

  constructor(ctx: TiffContext, opts: ReadOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
  }

  /**
   * Reads a chain of directories (or only its first, unless `follow`), up to the end or to the directory at `stopAt`;
   * `firstExtra` are further tags to load of its first directory.
   */
  async chain(first: number, firstExtra: readonly number[] = [], follow = true, stopAt = 0): Promise<Ifd[]> {
    const ifds: Ifd[] = [];
    if (first === 0) throw this.#error('corrupt', 'the header points to no image directory');
    const pending: Promise<void>[] = [];
    for (let offset = first; offset !== 0 && offset !== stopAt; ) {
      let ifd = await this.#readIfd(offset);
      if (ifds.length === 0 && !this.#ctx.bigTiff && !this.#ctx.ndpi && ifd.has(NDPI_FORMAT_FLAG)) {
        // NDPI's layout differs after the entries: read the same bytes again (cached) the NDPI way.
        this.#ctx.ndpi = true;
        this.#seen.delete(offset);
        ifd = await this.#readIfd(offset);
      }
      ifds.push(ifd);
      // Values and SubIFDs load while the next directory is read: their requests go out in the same tick.
      const loading = this.#loadStructure(ifd, ifds.length === 1 ? firstExtra : []);
      // Handled now, awaited below: a failure must not go unhandled while later directories are read.
      loading.catch(() => undefined);
      pending.push(loading);
      offset = follow ? ifd.next : 0;
    }
    await Promise.all(pending);
    return ifds;
  }

  async #loadStructure(ifd: Ifd, extra: readonly number[]): Promise<void> {
    await ifd.load([...STRUCTURE_TAGS, ...extra], this.#opts);
    const subs = ifd.cached(Tag.SubIFDs);
    if (Array.isArray(subs)) {
      // SubIFDs list the reduced images of this one (OME-style pyramids). Writers that list only the first chain the
      // rest behind it; writers that list them all may chain them too (Bio-Formats), so then next pointers are not followed.
      const chains = await Promise.all(subs.map((o) => this.chain(o, [], subs.length === 1)));
      ifd.subIfds = chains.flat();
    }
  }

  async #readIfd(offset: number): Promise<Ifd> {
    throwIfAborted(this.#opts.signal, this.#ctx.source.id);
    // A SubIFDs tag retyped as floating point lists offsets that are no byte positions.
    if (!Number.isSafeInteger(offset) || offset < 0) throw this.#error('corrupt', `an image directory's offset (${offset}) is not a byte position`);
    if (this.#seen.has(offset)) throw this.#error('corrupt', `the directory at offset ${offset} is visited twice (an IFD loop)`);
    if (this.#seen.size >= MAX_DIRECTORIES) throw this.#error('corrupt', `more than ${MAX_DIRECTORIES} image directories`);
    this.#seen.add(offset);
    const { bigTiff, ndpi, fileSize, source } = this.#ctx;
    const countSize = bigTiff ? 8 : 2;
    const entrySize = bigTiff ? 20 : 12;
    const nextSize = bigTiff || ndpi ? 8 : 4;
    if (offset + countSize > fileSize) {
      throw this.#error(
        'truncated',
        `an image directory at offset ${offset} lies beyond the end of the ${fileSize}-byte file; the file is truncated (an incomplete upload or copy)`,
      );
    }
    let bytes = await source.read(offset, Math.min(fileSize - offset, countSize + IFD_READ_AHEAD_ENTRIES * entrySize + nextSize), this.#opts);
    let view = new ByteView(bytes, this.#ctx.littleEndian);
    const count = bigTiff ? view.u64(0) : view.u16(0);
    if (count === 0 || count > MAX_ENTRIES) throw this.#error('corrupt', `the directory at offset ${offset} claims ${count} entries`);
    // NDPI: after the 8-byte next offset, one 4-byte high half per entry for its value or offset.
    const length = countSize + count * entrySize + nextSize + (ndpi ? 4 * count : 0);
    if (offset + length > fileSize) throw this.#error('truncated', `the directory at offset ${offset} runs past the end of the file`);
    if (length > bytes.length) {
      bytes = await source.read(offset, length, this.#opts);
      view = new ByteView(bytes, this.#ctx.littleEndian);
    }
    const entries = new Map<number, IfdEntry>();
    const nextPos = countSize + count * entrySize;
    for (let i = 0; i < count; i++) {
      const high = ndpi ? view.u32(nextPos + 8 + 4 * i) : 0;
      const entry = this.#parseEntry(view, countSize + i * entrySize, high);
      if (entry && !entries.has(entry.tag)) entries.set(entry.tag, entry);
    }
    const next = bigTiff || ndpi ? view.u64(nextPos) : view.u32(nextPos);
    return new Ifd(this.#ctx, offset, entries, next);
  }

  /**
   * Parses one 12- or 20-byte entry; entries of unknown type are skipped, as TIFF 6.0 tells readers to. `high` is
   * NDPI's high half of the value or offset (0 elsewhere).
   */
  #parseEntry(view: ByteView, pos: number, high: number): IfdEntry | undefined {
    const { bigTiff, ndpi, fileSize } = this.#ctx;
    const tag = view.u16(pos);
    const type = view.u16(pos + 2);
    const size = fieldSize(type);
    if (size === undefined) return undefined;
    const count = bigTiff ? view.u64(pos + 4) : view.u32(pos + 4);
    const valuePos = pos + (bigTiff ? 12 : 8);
    const inlineCapacity = bigTiff ? 8 : 4;
    const entry: IfdEntry = { tag, type, count };
    // As OpenSlide reads NDPI: text is never inline, and a high half turns an inline LONG into a LONG8.
    const inline = count * size <= inlineCapacity && !(ndpi && type === FieldType.ASCII);
    if (inline && high !== 0)
      return ndpiWideValue(
        entry,
        view.u32(valuePos),
        high,
        view.littleEndian,
        this.#error('corrupt', `NDPI tag ${tag} of type ${type} has a 64-bit extension`),
      );
    if (inline) {
      entry.inline = view.bytes.slice(valuePos, valuePos + count * size);
    } else {
      entry.valueOffset = bigTiff ? view.u64(valuePos) : view.u32(valuePos) + high * 2 ** 32;
      if (entry.valueOffset + byteLength(entry) > fileSize) {
        throw this.#error(
          'truncated',
          `tag ${tag} has ${byteLength(entry)} bytes of values at offset ${entry.valueOffset}, past the end of the ${fileSize}-byte file`,
        );
      }
    }
    return entry;
  }

  #error(code: 'corrupt' | 'truncated', what: string): SlideError {
    const advice = code === 'truncated' ? 'Copy or upload the file again.' : 'The file is damaged or is not a valid TIFF.';
    return new SlideError(code, `${this.#ctx.source.id}: ${what}. ${advice}`, { source: this.#ctx.source.id });
  }
}

/** An inline NDPI LONG or SLONG whose high half is set: the 64-bit value as an 8-byte inline LONG8 or SLONG8. */
function ndpiWideValue(entry: IfdEntry, low: number, high: number, littleEndian: boolean, invalid: SlideError): IfdEntry {
  if (entry.count !== 1 || (entry.type !== FieldType.LONG && entry.type !== FieldType.SLONG)) throw invalid;
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(littleEndian ? 0 : 4, low, littleEndian);
  view.setUint32(littleEndian ? 4 : 0, high, littleEndian);
  return { ...entry, type: entry.type === FieldType.LONG ? FieldType.LONG8 : FieldType.SLONG8, inline: bytes };
}
