import type { ReadOptions } from '../source/range-source.js';
import { HEAD_READ_AHEAD, METADATA_BLOCK_BYTES } from '../source/round-trip-bytes.js';
import { ByteView } from './byte-view.js';
import type { TiffContext } from './ifd.js';
import { FieldType, NDPI_FORMAT_FLAG, Tag } from './tags.js';
import { directoryAt, MAX_ENTRIES, MIN_ENTRIES } from './tail-chain.js';

/** Tags every NDPI page's directory has (the macro image's too). */
const NDPI_PAGE = new Set<number>([Tag.ImageWidth, Tag.ImageLength, Tag.StripOffsets, NDPI_FORMAT_FLAG]);
/** How far before a page's JPEG its predecessor's directory may start: 48 entries, their high halves and values. */
const DIRECTORY_WINDOW = 2048;
/** Read before the JPEG of the first page the tail holds: a metadata block, which holds a page's directory. */
const BEFORE_PAGE = METADATA_BLOCK_BYTES;
/** Pages walked back through the tail at most (real files have a dozen). */
const MAX_PAGES = 64;

/**
 * Hamamatsu writes each page as its JPEG, that page's MCU-starts array and its directory, then the next page's JPEG,
 * and the last directory ends the file. The header points to the first directory and the small pages' directories
 * are in the tail read (`tail`, from `tailStart`), but the one between them that points to the tail's first is found
 * only from the first directory's next pointer: a round trip after the one that reads the first. It lies just before
 * the tail's first page's JPEG, so that block is read now, beside the first directory (`firstIfd`). The tail's pages
 * are found backwards from the file's last directory, each one's directory just before the next one's JPEG: a few
 * thousand bytes are looked at, not the whole tail (scanning it, a quarter of whose bytes are zeros, took 9 ms on its
 * first run in Node, and delayed the open as much as the round trip it would save). Nothing for a file that is not NDPI,
 * whose last directory is not at its end, past 4 GB (offsets' high halves lie outside the entries), or where the block
 * holds the first directory (the walk reads it anyway). The read is the one the walk would make (the same block,
 * through the metadata cache), so a reload from the persistent cache finds it whichever asked first; its failure is
 * left to the walk, which reads those bytes itself.
 */
export function readNdpiDirectoryAhead(ctx: TiffContext, firstIfd: number, tail: Uint8Array, tailStart: number, opts: ReadOptions): void {
  if (ctx.bigTiff || !ctx.littleEndian || ctx.fileSize > 2 ** 32) return;
  const view = new ByteView(tail, true);
  let page = lastDirectory(view);
  for (let pages = 0; page !== undefined && pages < MAX_PAGES; pages++) {
    const jpeg = stripOffset(view, page);
    if (jpeg === undefined || jpeg >= tailStart + page) return;
    if (jpeg < tailStart) {
      const from = Math.max(HEAD_READ_AHEAD, jpeg - BEFORE_PAGE);
      const to = Math.min(jpeg, tailStart);
      if (from < to && !(firstIfd >= from && firstIfd < to)) ctx.source.read(from, to - from, opts).catch(() => undefined);
      return;
    }
    page = directoryBefore(view, jpeg - tailStart, tailStart + page);
  }
}

/** The NDPI directory that ends the bytes (its entries, 8-byte next pointer of 0 and entries' high halves), if one does. */
function lastDirectory(view: ByteView): number | undefined {
  for (let count = MIN_ENTRIES; count <= MAX_ENTRIES; count++) {
    const pos = view.length - (2 + 12 * count + 8 + 4 * count);
    if (pos < 0) return undefined;
    if (view.u16(pos) === count && directoryAt(view, pos, false, NDPI_PAGE) === 0 && view.u32(pos + 2 + 12 * count + 4) === 0) return pos;
  }
  return undefined;
}

/** The NDPI directory that points to the file offset `next`, starting in the DIRECTORY_WINDOW bytes before `end`. */
function directoryBefore(view: ByteView, end: number, next: number): number | undefined {
  for (let pos = end - 1; pos >= Math.max(0, end - DIRECTORY_WINDOW); pos--) if (directoryAt(view, pos, false, NDPI_PAGE) === next) return pos;
  return undefined;
}

/** Where the page of the directory at `pos` has its JPEG: its one-value StripOffsets entry. */
function stripOffset(view: ByteView, pos: number): number | undefined {
  const count = view.u16(pos);
  for (let i = 0; i < count; i++) {
    const at = pos + 2 + 12 * i;
    if (view.u16(at) !== Tag.StripOffsets) continue;
    return view.u32(at + 4) === 1 && view.u16(at + 2) === FieldType.LONG ? view.u32(at + 8) : undefined;
  }
  return undefined;
}
