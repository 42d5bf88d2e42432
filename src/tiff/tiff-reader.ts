import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { HEAD_READ_AHEAD, ROUND_TRIP_BYTES } from '../source/round-trip-bytes.js';
import { ByteView } from './byte-view.js';
import { tailStart } from './tail-read.js';
import { DirectoryWalker } from './directory-walker.js';
import type { Ifd, TiffContext } from './ifd.js';
import { readNdpiDirectoryAhead } from './ndpi-directory-ahead.js';
import { predictedChain } from './predicted-chain.js';
import { Tag } from './tags.js';

/** Text tags OpenSlide reports as `tiff.*` properties (first directory only). */
export const TEXT_PROPERTY_TAGS = [Tag.DocumentName, Tag.Make, Tag.Model, Tag.Software, Tag.DateTime, Tag.Artist, Tag.HostComputer, Tag.Copyright] as const;

export interface TiffReaderOptions extends ReadOptions {
  /** Told the first directory as soon as it is read, while the open goes on to the others. */
  onFirstDirectory?: (ifd: Ifd) => void;
}

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
    const tail = readTail(source, fileSize, opts);
    const ctx = await readHeader(source, fileSize, opts);
    const tailFrom = tailStart(fileSize);
    let firstRead = false;
    if (!readUpToTail(source, ctx.firstIfd, fileSize, opts) && ctx.firstIfd >= HEAD_READ_AHEAD && ctx.firstIfd < tailFrom) {
      // The first directory is read in a round trip of its own: an NDPI directory between it and the tail comes with
      // it, where the tail arrives first (once the first directory is read, the walk asks for the next itself).
      void tail.then((bytes) => {
        if (bytes && !firstRead) readNdpiDirectoryAhead(ctx, ctx.firstIfd, bytes, tailFrom, opts);
      });
    }
    const walker = new DirectoryWalker(ctx, opts);
    const first = (await walker.chain(ctx.firstIfd, TEXT_PROPERTY_TAGS, false))[0]!;
    firstRead = true;
    opts.onFirstDirectory?.(first);
    if (first.next === 0) return new TiffReader(ctx, [first]);
    const predicted = await predictedChain(ctx, first, tailFrom, opts);
    if (predicted) return new TiffReader(ctx, predicted.ifds, predicted.walked);
    return new TiffReader(ctx, [first, ...(await walker.chain(first.next))]);
  }
}

/** Both ends of a file, read in one round trip (see TAIL_READ_AHEAD and HEAD_READ_AHEAD) through the metadata cache. */
export function readEnds(source: RangeSource, fileSize: number, opts: ReadOptions): void {
  source.read(0, Math.min(fileSize, HEAD_READ_AHEAD), opts).catch(() => undefined);
  readTail(source, fileSize, opts);
}

/**
 * The file's last TAIL_READ_AHEAD bytes, read through the metadata cache: a second call while the first is under way
 * shares its request. Handled here: the reads that need these bytes report any failure; undefined if it failed.
 */
export function readTail(source: RangeSource, fileSize: number, opts: ReadOptions): Promise<Uint8Array | undefined> {
  const start = tailStart(fileSize);
  return source.read(start, fileSize - start, opts).catch(() => undefined);
}

/**
 * The bytes from the first directory up to the tail read, read with that directory when they are fewer than a round
 * trip is worth (the coalescer's rule for bridging a gap): Aperio writes the first level's directory after its tiles and
 * the smaller images (thumbnail, label, macro) after that, so on a small slide the strips the first viewport shows come
 * in the round trip that reads the first directory, instead of one after the open. Tile reads take them from the
 * metadata cache. Handled here, like the tail read: the reads that need these bytes report any failure. Returns whether
 * it read them (if not, the first directory costs a round trip of its own).
 */
function readUpToTail(source: RangeSource, firstIfd: number, fileSize: number, opts: ReadOptions): boolean {
  const end = tailStart(fileSize);
  if (firstIfd >= end || end - firstIfd > ROUND_TRIP_BYTES) return false;
  source.read(firstIfd, end - firstIfd, opts).catch(() => undefined);
  return true;
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
