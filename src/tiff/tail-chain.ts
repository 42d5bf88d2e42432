import { ByteView } from './byte-view.js';
import type { TiffContext } from './ifd.js';
import { fieldSize, Tag } from './tags.js';

/** Entries a level's directory has at least (size, tiles, compression …) and at most (a few dozen in practice). */
export const MIN_ENTRIES = 6;
export const MAX_ENTRIES = 256;
/** Tags a tiled image's directory cannot do without. */
const TILED = new Set<number>([Tag.ImageWidth, Tag.ImageLength, Tag.TileWidth, Tag.TileLength, Tag.TileOffsets, Tag.TileByteCounts]);

/**
 * Where a directory with every tag of `required` (by default a tiled image's) would be at `pos` of `bytes`: its next
 * pointer, or undefined if the bytes there are not one. The test is strict, as it is run on words of compressed tile
 * data: a plausible entry count, the whole directory in the bytes, tags strictly ascending (TIFF 6.0 asks writers for
 * that), every field type known and the required tags all present. An NDPI directory parses as a classic one, its
 * 64-bit next pointer read by its low half (the whole pointer in a file under 4 GB).
 */
export function directoryAt(view: ByteView, pos: number, bigTiff: boolean, required: ReadonlySet<number> = TILED): number | undefined {
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const nextSize = bigTiff ? 8 : 4;
  if (pos + countSize > view.bytes.length) return undefined;
  const count = entryCount(view, pos, countSize);
  if (count === undefined) return undefined;
  const end = pos + countSize + count * entrySize;
  if (end + nextSize > view.bytes.length) return undefined;
  let previous = -1;
  let present = 0;
  for (let at = pos + countSize; at < end; at += entrySize) {
    const tag = view.u16(at);
    if (tag <= previous || fieldSize(view.u16(at + 2)) === undefined) return undefined;
    if (required.has(tag)) present++;
    previous = tag;
  }
  if (present !== required.size) return undefined;
  return bigTiff ? u64(view, end) : view.u32(end);
}

/**
 * The entry count at `pos` (2 bytes, or BigTIFF's 8) if it lies within MIN_ENTRIES..MAX_ENTRIES, read from the bytes
 * themselves: almost every word tried fails here, and a BigTIFF count through the typed reads is two 32-bit reads.
 */
function entryCount(view: ByteView, pos: number, size: number): number | undefined {
  const { bytes, littleEndian } = view;
  for (let i = 2; i < size; i++) if (bytes[littleEndian ? pos + i : pos + size - 1 - i] !== 0) return undefined;
  const count = (littleEndian ? bytes[pos + 1]! : bytes[pos + size - 2]!) * 256 + (littleEndian ? bytes[pos]! : bytes[pos + size - 1]!);
  return count >= MIN_ENTRIES && count <= MAX_ENTRIES ? count : undefined;
}

/** A BigTIFF count or offset, or undefined past 2^53 (ByteView's u64 would throw, and random bytes often are). */
function u64(view: ByteView, pos: number): number | undefined {
  const [low, high] = view.littleEndian ? [view.u32(pos), view.u32(pos + 4)] : [view.u32(pos + 4), view.u32(pos)];
  return high < 2 ** 21 ? high * 2 ** 32 + low : undefined;
}

/**
 * The first directory of the chain that ends in the file's last bytes, found without the directories before it: the
 * chain's directories that lie in `tail` (the file's bytes from `tailStart` to its end), the first being the one no
 * other points to and the last the one whose next pointer is 0. libvips and tifffile write each level's directory next
 * to its tiles, so the small levels' directories are all in the tail while the chain to them runs through the large
 * levels, a round trip per directory. Undefined unless exactly one such chain is found (classic TIFF and BigTIFF;
 * never NDPI, whose directories are read otherwise).
 */
export function tailChainHead(tail: Uint8Array, tailStart: number, ctx: Pick<TiffContext, 'littleEndian' | 'bigTiff' | 'ndpi'>): number | undefined {
  if (ctx.ndpi) return undefined;
  const view = new ByteView(tail, ctx.littleEndian);
  const next = new Map<number, number>();
  const countBytes = ctx.bigTiff ? 8 : 2;
  // Directories start on a word boundary (TIFF 6.0); the tail starts on a block boundary.
  const first = (2 - (tailStart % 2)) % 2;
  const aligned = (at: number) => at + ((at - first) % 2);
  // Every count from MIN_ENTRIES to MAX_ENTRIES has a zero byte among its own (the high byte of a count under 256, the
  // low byte of 256, BigTIFF's upper six): only the words whose count covers a zero byte can start a directory, and the
  // native search for zeros skips the rest of half a megabyte of tile data, which a scan word by word takes 5–10 ms to
  // cross before the JIT has compiled it.
  for (let pos = first; pos + countBytes <= tail.length; ) {
    const zero = tail.indexOf(0, pos);
    if (zero < 0) break;
    for (pos = aligned(Math.max(pos, zero - countBytes + 1)); pos <= zero && pos + countBytes <= tail.length; pos += 2) {
      const pointer = directoryAt(view, pos, ctx.bigTiff);
      if (pointer !== undefined) next.set(tailStart + pos, pointer);
    }
  }
  const pointedTo = new Set(next.values());
  const heads = [...next.keys()].filter((offset) => !pointedTo.has(offset) && endsChain(offset, next));
  return heads.length === 1 ? heads[0] : undefined;
}

/** Whether following next pointers from `offset` through the directories found ends at 0, with no loop. */
function endsChain(offset: number, next: Map<number, number>): boolean {
  const seen = new Set<number>();
  for (let at: number | undefined = offset; at !== 0; at = next.get(at)) {
    if (at === undefined || seen.has(at)) return false;
    seen.add(at);
  }
  return true;
}
