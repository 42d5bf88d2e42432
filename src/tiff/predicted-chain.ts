import { SlideError } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import { nextTask } from '../source/next-task.js';
import { HEAD_READ_AHEAD } from '../source/round-trip-bytes.js';
import { DirectoryWalker } from './directory-walker.js';
import type { Ifd, TiffContext } from './ifd.js';
import { PredictedIfd } from './predicted-ifd.js';
import { tailChainHead } from './tail-chain.js';
import { Tag } from './tags.js';

/**
 * The main chain without walking the directories between the first and the tail's, where that walk would cost a round
 * trip per directory: libvips and tifffile write each level's directory next to its tiles (libvips after them, tifffile
 * before), so the small levels' are all in the tail (read with the header) while the chain to them runs through the
 * large levels'. Where the tail holds a
 * chain of its own and its first directory is the first level halved k ≥ 2 times (each side rounded down, or each up,
 * as those writers do), with the same tiles, the k − 1 levels between are predicted (PredictedIfd) and the open goes
 * on without them; the walk from the first directory to the tail's goes on behind, and each predicted level's tile
 * reads wait for the real directory of its size. Undefined (walk the chain) for anything else: the next directory
 * within the bytes read already, NDPI, SubIFD pyramids, Aperio (its thumbnail sits between the levels), levels that are
 * not halvings. `tailStart` is where the tail read (already asked for, so cached) begins.
 */
export async function predictedChain(
  ctx: TiffContext,
  first: Ifd,
  tailStart: number,
  opts: ReadOptions,
): Promise<{ ifds: Ifd[]; walked: Promise<unknown> } | undefined> {
  const { source, fileSize } = ctx;
  const next = first.next;
  const readAlready = next < Math.min(fileSize, HEAD_READ_AHEAD) || next >= tailStart;
  if (readAlready || ctx.ndpi || first.subIfds.length > 0 || !first.has(Tag.TileOffsets)) return undefined;
  if (first.string(Tag.ImageDescription)?.startsWith('Aperio')) return undefined;
  const tailBytes = await source.read(tailStart, fileSize - tailStart, opts);
  // The scan is the open's one long stretch of CPU (3–24 ms on a cold page of the N=11 slide): in a task of its own,
  // not in the one that took in the tail's half megabyte (3–28 ms more), where the two made tasks of 54–94 ms.
  await nextTask();
  const head = tailChainHead(tailBytes, tailStart, ctx);
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

/** Whether `ifd` is a tiled image with `first`'s tiles and samples: a level of the same pyramid, whatever its size. */
function sameTilesAs(first: Ifd, ifd: Ifd): boolean {
  return ifd.has(Tag.TileOffsets) && SHARED_STRUCTURE.every((tag) => ifd.number(tag) === first.number(tag));
}

/**
 * The sizes of the levels between `first` and `smaller` when `smaller` is `first` halved k ≥ 2 times, rounding down
 * every time or up every time, with the same tiles and samples; undefined otherwise.
 */
function levelsBetween(first: Ifd, smaller: Ifd): Array<{ width: number; height: number }> | undefined {
  const [width, height] = [first.number(Tag.ImageWidth), first.number(Tag.ImageLength)];
  const [w, h] = [smaller.number(Tag.ImageWidth), smaller.number(Tag.ImageLength)];
  if (!width || !height || !w || !h || !sameTilesAs(first, smaller)) return undefined;
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
  const found = (await gap).find((ifd) => ifd.number(Tag.ImageWidth) === size.width && ifd.number(Tag.ImageLength) === size.height && sameTilesAs(first, ifd));
  if (found) return found;
  throw new SlideError(
    'corrupt',
    `${ctx.source.id}: no directory between the first level's and the last levels' is the ${size.width}×${size.height} level the others imply. The file is damaged, or its pyramid is not made of halvings.`,
    { source: ctx.source.id },
  );
}
