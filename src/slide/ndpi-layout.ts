import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import type { Ifd } from '../tiff/ifd.js';
import { Tag } from '../tiff/tags.js';
import type { TiffReader } from '../tiff/tiff-reader.js';
import { NdpiTag } from './hamamatsu.js';
import { type JpegFrame, JpegMarker, parseJpegFrame, unreadableJpeg } from './jpeg-header.js';

/**
 * A JPEG header is a few hundred bytes (about 620 in NDPI). A first read this small usually stays inside the metadata
 * block that held the page's directory values just before it, and so costs no request.
 */
const HEADER_READ = 1024;
/** Tables, comments and APP segments never come near this; a header that does not end by then is damage. */
const MAX_HEADER = 256 * 1024;
/** A page without restart markers is decoded whole: beyond this many pixels that would exhaust a browser tab. */
const MAX_WHOLE_PIXELS = 2 ** 26;
/** Runs of restart intervals are grouped towards tiles about this many pixels a side (the first is 3968×8 on real files). */
const TILE_TARGET = 256;
/** OpenSlide 3.4.1 adds the smallest page scaled by libjpeg's DCT scaling as further levels, down to 1/8. */
export const REDUCED_LEVEL_SCALES = [2, 4, 8] as const;

/** One NDPI page that is a pyramid level: a single JPEG, cut into runs of restart intervals. */
export interface NdpiPage {
  ifd: Ifd;
  width: number;
  height: number;
  /** The JPEG's place in the file. */
  start: number;
  length: number;
  frame: JpegFrame;
  /** SOI through the SOS segment, copied into every tile with the tile's size. */
  header: Uint8Array;
  /** Pixels of one restart interval (the whole page when it has none) and how many there are across and down. */
  unitWidth: number;
  unitHeight: number;
  unitsAcross: number;
  unitsDown: number;
  /** Intervals per tile across and down: a tile is always one contiguous run of them in the file. */
  tileUnitsAcross: number;
  tileUnitsDown: number;
}

export interface NdpiLayout {
  pages: NdpiPage[];
  macro?: { ifd: Ifd; width: number; height: number };
}

function corrupt(id: string, what: string): SlideError {
  return new SlideError('corrupt', `${id}: ${what}. The file is damaged.`, { source: id });
}

async function readHeader(meta: RangeSource, start: number, length: number, opts: ReadOptions): Promise<{ frame: JpegFrame; header: Uint8Array }> {
  for (const size of [HEADER_READ, MAX_HEADER]) {
    const bytes = await meta.read(start, Math.min(size, length), opts);
    const frame = parseJpegFrame(bytes);
    if (frame) return { frame, header: bytes.slice(0, frame.headerLength) };
    if (size >= length) break;
  }
  throw corrupt(meta.id, `the JPEG at offset ${start} has no readable header`);
}

/** How a page's restart intervals tile it, checked against its MCU starts, or a clear refusal. */
function restartGeometry(id: string, ifd: Ifd, width: number, height: number, frame: JpegFrame) {
  const whole = { unitWidth: width, unitHeight: height, unitsAcross: 1, unitsDown: 1, tileUnitsAcross: 1, tileUnitsDown: 1 };
  const mcuStarts = ifd.entries.get(NdpiTag.McuStarts)?.count ?? 0;
  if (frame.restartInterval === 0 || mcuStarts <= 1) {
    if (width * height > MAX_WHOLE_PIXELS) {
      throw new SlideError(
        'unsupported_pixels',
        `${id}: a ${width}×${height} NDPI level has no restart markers, so it can only be decoded whole, which is too large for a browser. Re-export the slide from NDP.view.`,
        { source: id },
      );
    }
    return whole;
  }
  const mcusAcross = Math.ceil(width / frame.mcuWidth);
  // Intervals that wrap from one MCU row into the next are not rectangles: no tile could be cut from them.
  if (mcusAcross % frame.restartInterval !== 0) {
    throw new SlideError(
      'unsupported_pixels',
      `${id}: the NDPI restart interval (${frame.restartInterval} MCUs) does not divide the ${mcusAcross} MCUs of a row, so intervals cannot be cut into tiles.`,
      { source: id },
    );
  }
  const unitsAcross = mcusAcross / frame.restartInterval;
  const unitsDown = Math.ceil(height / frame.mcuHeight);
  if (unitsAcross * unitsDown !== mcuStarts) throw corrupt(id, `a level has ${mcuStarts} MCU starts for ${unitsAcross}×${unitsDown} restart intervals`);
  const unitWidth = frame.restartInterval * frame.mcuWidth;
  const unitHeight = frame.mcuHeight;
  // Intervals side by side are adjacent in the file; rows of them are too only when one interval spans the row.
  const tileUnitsAcross = Math.min(unitsAcross, Math.max(1, Math.round(TILE_TARGET / unitWidth)));
  const tileUnitsDown = unitsAcross === 1 ? Math.min(unitsDown, Math.max(1, Math.round(TILE_TARGET / unitHeight))) : 1;
  return { unitWidth, unitHeight, unitsAcross, unitsDown, tileUnitsAcross, tileUnitsDown };
}

async function pageOf(meta: RangeSource, ifd: Ifd, opts: ReadOptions): Promise<NdpiPage> {
  const id = meta.id;
  const strips = ifd.entries.get(Tag.StripOffsets)?.count ?? 0;
  const start = ifd.number(Tag.StripOffsets);
  const length = ifd.number(Tag.StripByteCounts);
  if (strips !== 1 || !start || !length) throw corrupt(id, `an NDPI page at offset ${ifd.offset} is not one JPEG (${strips} strips)`);
  const { frame, header } = await readHeader(meta, start, length, opts);
  const unreadable = unreadableJpeg(header, id);
  if (unreadable) throw unreadable;
  if (frame.sof !== JpegMarker.SOF0 && frame.sof !== JpegMarker.SOF1 && frame.restartInterval > 0) {
    throw new SlideError(
      'unsupported_compression',
      `${id}: an NDPI level is a progressive JPEG (SOF ${frame.sof.toString(16)}), whose restart intervals cannot be cut into tiles.`,
      {
        source: id,
      },
    );
  }
  let width = ifd.number(Tag.ImageWidth) ?? 0;
  let height = ifd.number(Tag.ImageLength) ?? 0;
  // Past 65,535 pixels the JPEG cannot state its size and the TIFF tags hold it. Otherwise the JPEG wins when they
  // disagree on a page decoded whole, as in OpenSlide (small pages sometimes disagree by a few pixels).
  const wholePage = frame.restartInterval === 0;
  if (wholePage && frame.width > 0 && frame.height > 0 && (frame.width !== width || frame.height !== height)) {
    width = frame.width;
    height = frame.height;
  }
  if (!width || !height) throw corrupt(id, `an NDPI page at offset ${ifd.offset} has no size`);
  return { ifd, width, height, start, length, frame, header, ...restartGeometry(id, ifd, width, height, frame) };
}

/**
 * The pages of an NDPI file that make its pyramid (positive objective lens, focal plane 0, largest first) and its
 * macro image, with each level JPEG's header read (all at once: one round trip after the directories).
 */
export async function ndpiLayout(tiff: TiffReader, opts: ReadOptions): Promise<NdpiLayout> {
  const id = tiff.source.id;
  const levelIfds = tiff.ifds.filter((ifd) => (ifd.number(NdpiTag.SourceLens) ?? 0) > 0 && (ifd.number(NdpiTag.FocalPlane) ?? 0) === 0);
  const pages = await Promise.all(levelIfds.map((ifd) => pageOf(tiff.source, ifd, opts)));
  if (pages.length === 0)
    throw new SlideError('not_pyramidal', `${id}: the NDPI file has no pyramid level (no page with a positive objective lens).`, { source: id });
  for (let i = 1; i < pages.length; i++) {
    // OpenSlide refuses other orders out of caution; so do we, since level numbering relies on it.
    if (pages[i]!.width >= pages[i - 1]!.width) throw corrupt(id, 'the NDPI pyramid levels are not stored largest first');
  }
  const macroIfd = tiff.ifds.find((ifd) => ifd.number(NdpiTag.SourceLens) === -1);
  const macro = macroIfd ? { ifd: macroIfd, width: macroIfd.number(Tag.ImageWidth) ?? 0, height: macroIfd.number(Tag.ImageLength) ?? 0 } : undefined;
  return { pages, ...(macro && macro.width > 0 && macro.height > 0 ? { macro } : {}) };
}
