import { SlideError, throwIfAborted } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { HEAD_READ_AHEAD, ROUND_TRIP_BYTES } from '../source/round-trip-bytes.js';
import { ByteView } from './byte-view.js';
import { Ifd, byteLength, type IfdEntry, type TiffContext } from './ifd.js';
import { PredictedIfd } from './predicted-ifd.js';
import { tailChainHead } from './tail-chain.js';
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
/** Text tags OpenSlide reports as `tiff.*` properties (first directory only). */
export const TEXT_PROPERTY_TAGS = [Tag.DocumentName, Tag.Make, Tag.Model, Tag.Software, Tag.DateTime, Tag.Artist, Tag.HostComputer, Tag.Copyright] as const;

/** Guards against hostile files: real slides have a few dozen directories of a few dozen entries. */
const MAX_DIRECTORIES = 1024;
const MAX_ENTRIES = 4096;
/** Entries of one IFD fetched by the first read, so most directories and the values after them come in one request. */
const IFD_READ_AHEAD_ENTRIES = 64;
/**
 * The end of the file is read while the header is: scanners, libvips and tifffile put the small levels' directories,
 * offset arrays and tiles last, so this one request saves a round trip per directory it holds, and the first
 * viewport's tiles often come with it. The size is what one round trip is worth: reading it costs about as much as the
 * one round trip it must save to pay for itself.
 */
export const TAIL_READ_AHEAD = ROUND_TRIP_BYTES;

export interface TiffReaderOptions extends ReadOptions {}

/** A TIFF or BigTIFF file: its directory chain (with SubIFDs attached to their parents). */
export class TiffReader {
  readonly source: RangeSource;
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  /** The file is Hamamatsu NDPI (64-bit offsets in a classic TIFF). */
  readonly ndpi: boolean;
  readonly fileSize: number;
  /** The main IFD chain in file order. */
  readonly ifds: Ifd[];
  /**
   * Settles (never rejects) once every directory has been read: at once, unless levels were predicted and their
   * directories are still being walked behind the open (see predictedChain).
   */
  readonly walked: Promise<void>;

  private constructor(ctx: TiffContext, ifds: Ifd[], walked: Promise<unknown> = Promise.resolve()) {
    this.source = ctx.source;
    this.littleEndian = ctx.littleEndian;
    this.bigTiff = ctx.bigTiff;
    this.ndpi = ctx.ndpi;
    this.fileSize = ctx.fileSize;
    this.ifds = ifds;
    this.walked = walked.then(
      () => undefined,
      () => undefined,
    );
  }

  static async open(source: RangeSource, opts: TiffReaderOptions = {}): Promise<TiffReader> {
    const fileSize = await source.size(opts);
    // Opened through openSlide, the format check has asked for the tail already (this joins its request or finds the
    // bytes cached); opened alone, the tail goes out with the header.
    readTail(source, fileSize, opts);
    const ctx = await readHeader(source, fileSize, opts);
    const walker = new DirectoryWalker(ctx, opts);
    const [first] = await walker.chain(ctx.firstIfd, TEXT_PROPERTY_TAGS, false);
    if (first!.next === 0) return new TiffReader(ctx, [first!]);
    const predicted = await predictedChain(ctx, first!, opts);
    if (predicted) return new TiffReader(ctx, predicted.ifds, predicted.walked);
    return new TiffReader(ctx, [first!, ...(await walker.chain(first!.next))]);
  }
}

/** A file named `.dcm` (query and fragment aside) is DICOM, whose reader never wants the file's ends read ahead. */
export function namedAsDicom(id: string): boolean {
  return /\.dcm$/i.test(id.split(/[?#]/)[0]!);
}

/**
 * What a source that must learn the size first should ask of the file's end beside its first request (an HTTP
 * source's suffix range), for a file of this name: the tail read, from the block boundary at or before it (the
 * metadata cache reads whole 4 KiB blocks); nothing for a DICOM file.
 */
export function tailRequestLength(id: string): number {
  return namedAsDicom(id) ? 0 : TAIL_READ_AHEAD + 4096;
}

/** Both ends of a file, read in one round trip (see TAIL_READ_AHEAD and HEAD_READ_AHEAD) through the metadata cache. */
export function readEnds(source: RangeSource, fileSize: number, opts: ReadOptions): void {
  source.read(0, Math.min(fileSize, HEAD_READ_AHEAD), opts).catch(() => undefined);
  readTail(source, fileSize, opts);
}

/**
 * The file's last TAIL_READ_AHEAD bytes, read through the metadata cache: a second call while the first is under way
 * shares its request. Handled here: the reads that need these bytes report any failure.
 */
export function readTail(source: RangeSource, fileSize: number, opts: ReadOptions): void {
  const start = Math.max(0, fileSize - TAIL_READ_AHEAD);
  source.read(start, fileSize - start, opts).catch(() => undefined);
}

/**
 * The main chain without walking the directories between the first and the tail's, where that walk would cost a round
 * trip per directory: libvips and tifffile write each level's directory after its tiles, so the small levels' are all
 * in the tail (read with the header) while the chain to them runs through the large levels'. Where the tail holds a
 * chain of its own and its first directory is the first level halved k ≥ 2 times (each side rounded down, or each up,
 * as those writers do), with the same tiles, the k − 1 levels between are predicted (PredictedIfd) and the open goes
 * on without them; the walk from the first directory to the tail's goes on behind, and each predicted level's tile
 * reads wait for the real directory of its size. Undefined (walk the chain) for anything else: the next directory
 * within the bytes read already, NDPI, SubIFD pyramids, Aperio (its thumbnail sits between the levels), levels that are
 * not halvings.
 */
async function predictedChain(ctx: TiffContext, first: Ifd, opts: ReadOptions): Promise<{ ifds: Ifd[]; walked: Promise<unknown> } | undefined> {
  const { source, fileSize } = ctx;
  const tailStart = Math.max(0, fileSize - TAIL_READ_AHEAD);
  const next = first.next;
  const readAlready = next < Math.min(fileSize, HEAD_READ_AHEAD) || next >= tailStart;
  if (readAlready || ctx.ndpi || first.subIfds.length > 0 || !first.has(Tag.TileOffsets)) return undefined;
  if (first.string(Tag.ImageDescription)?.startsWith('Aperio')) return undefined;
  const head = tailChainHead(await source.read(tailStart, fileSize - tailStart, opts), tailStart, ctx);
  if (head === undefined || head === next) return undefined;
  // A walker of its own: should the prediction not hold, the main walk reaches these directories again.
  const tail = await new DirectoryWalker(ctx, opts).chain(head);
  const sizes = levelsBetween(first, tail[0]!);
  if (!sizes) return undefined;
  // Not bound to the open's signal: the slide outlives the open, and its predicted levels wait for this walk.
  const gap = new DirectoryWalker(ctx, {}).chain(next, [], true, head);
  const predicted = sizes.map((size) => new PredictedIfd(ctx, first, size, realLevel(gap, first, size, ctx)));
  return { ifds: [first, ...predicted, ...tail], walked: gap };
}

/** Structure tags two levels of one pyramid share. */
const SHARED_STRUCTURE = [Tag.TileWidth, Tag.TileLength, Tag.Compression, Tag.SamplesPerPixel, Tag.Photometric, Tag.PlanarConfiguration];

/**
 * The sizes of the levels between `first` and `smaller` when `smaller` is `first` halved k ≥ 2 times, rounding down
 * every time or up every time, with the same tiles and samples; undefined otherwise.
 */
function levelsBetween(first: Ifd, smaller: Ifd): Array<{ width: number; height: number }> | undefined {
  const [width, height] = [first.number(Tag.ImageWidth), first.number(Tag.ImageLength)];
  const [w, h] = [smaller.number(Tag.ImageWidth), smaller.number(Tag.ImageLength)];
  if (!width || !height || !w || !h || !smaller.has(Tag.TileOffsets)) return undefined;
  if (SHARED_STRUCTURE.some((tag) => first.number(tag) !== smaller.number(tag))) return undefined;
  for (const round of [Math.floor, Math.ceil]) {
    for (let k = 2; 2 ** k <= width; k++) {
      if (round(width / 2 ** k) !== w || round(height / 2 ** k) !== h) continue;
      return Array.from({ length: k - 1 }, (_, j) => ({ width: round(width / 2 ** (j + 1)), height: round(height / 2 ** (j + 1)) }));
    }
  }
  return undefined;
}

/**
 * The directory among those the walk finds that is a level of this size with `first`'s tiles and samples; a clear error
 * if there is none.
 */
async function realLevel(gap: Promise<Ifd[]>, first: Ifd, size: { width: number; height: number }, ctx: TiffContext): Promise<Ifd> {
  const matches = (ifd: Ifd) =>
    ifd.has(Tag.TileOffsets) &&
    ifd.number(Tag.ImageWidth) === size.width &&
    ifd.number(Tag.ImageLength) === size.height &&
    SHARED_STRUCTURE.every((tag) => ifd.number(tag) === first.number(tag));
  const found = (await gap).find(matches);
  if (found) return found;
  throw new SlideError(
    'corrupt',
    `${ctx.source.id}: no directory between the first level's and the last levels' is the ${size.width}×${size.height} level the others imply. The file is damaged, or its pyramid is not made of halvings.`,
    { source: ctx.source.id },
  );
}

interface HeaderContext extends TiffContext {
  firstIfd: number;
}

async function readHeader(source: RangeSource, fileSize: number, opts: ReadOptions): Promise<HeaderContext> {
  const notTiff = (what: string) =>
    new SlideError('not_tiff', `${source.id} is not a TIFF or SVS file (${what}). Whole-slide formats read here are Aperio SVS and pyramidal TIFF.`, {
      source: source.id,
    });
  if (fileSize < 8) throw notTiff(`it is only ${fileSize} bytes long`);
  const head = await source.read(0, Math.min(16, fileSize), opts);
  const order = String.fromCharCode(head[0]!, head[1]!);
  if (order !== 'II' && order !== 'MM') throw notTiff('it does not start with II or MM');
  const view = new ByteView(head, order === 'II');
  const version = view.u16(2);
  if (version === 42) {
    // NDPI files past 4 GB keep the high half of the first directory's offset in the next 4 bytes. Only such a
    // file can hold an offset that large, so the wide value is taken when it fits the file (the walker confirms NDPI).
    const wide = head.length >= 12 && fileSize > 2 ** 32 ? view.u32(4) + view.u32(8) * 2 ** 32 : 0;
    const firstIfd = wide > 2 ** 32 && wide < fileSize ? wide : view.u32(4);
    return { source, fileSize, littleEndian: view.littleEndian, bigTiff: false, ndpi: false, firstIfd };
  }
  if (version !== 43) throw notTiff(`version ${version}, expected 42 (TIFF) or 43 (BigTIFF)`);
  if (head.length < 16 || view.u16(4) !== 8 || view.u16(6) !== 0) throw notTiff('a BigTIFF header with offset size other than 8');
  return { source, fileSize, littleEndian: view.littleEndian, bigTiff: true, ndpi: false, firstIfd: view.u64(8) };
}

/** Walks IFD chains and SubIFDs once each, refusing loops and absurd sizes. */
class DirectoryWalker {
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
