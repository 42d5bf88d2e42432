import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { ROUND_TRIP_BYTES } from '../source/round-trip-bytes.js';
import { ByteView } from './byte-view.js';
import { fieldSize, NDPI_FORMAT_FLAG, Tag } from './tags.js';

/** Bytes the reader holds: one read's answer at its place in the file. */
interface Region {
  start: number;
  bytes: Uint8Array;
}

/** A directory recognised in held bytes. */
interface FoundDirectory {
  offset: number;
  next: number;
  /**
   * Where its image's data starts (its lowest tile or strip offset), when that lies below the directory. Values are
   * not counted: writers share them between directories (NDPI keeps its text near the file's start).
   */
  dataStart: number | undefined;
  /** The directory's entries and out-of-line values in bytes. */
  size: number;
}

interface Layout {
  littleEndian: boolean;
  bigTiff: boolean;
  fileSize: number;
}

/** Directories of real slides have a few dozen entries; a candidate with more is not taken for one. */
const MAX_ENTRIES = 512;
/** A pyramid's levels outside the tail read: slides have a dozen; a hostile file gets no more speculative reads. */
const MAX_STEPS = 24;
/** Slack below a predicted directory: its small values (descriptions, JPEG tables) beside the arrays. */
const WINDOW_SLACK = 16 * 1024;

/**
 * Reads, ahead of the directory chain, the directories the file's layout places before those its tail read holds.
 * libvips and Hamamatsu write each level as its image data followed by its directory (and arrays), so the directory
 * of level k ends where level k+1's data starts: the lowest tile or strip offset of a directory found in held bytes
 * says where its predecessor lies, and a window just below it, sized from that directory (the predecessor has about
 * four times its tiles), holds it. Each window is confirmed by the directory in it whose next pointer is the one
 * above, and leads to the next window down; the chain walk from the header meets it coming up.
 *
 * Only the cache is warmed: the walk still follows the file's own pointers, so a wrong guess costs one window's bytes,
 * never a wrong slide. What it reads depends on the file alone, never on timing: the walk does not read a directory
 * below the tail until a window holds it or the prefetch has ended (`covers`), so every session of a slide asks for
 * the same ranges — which the persistent cache, keyed by exact ranges, needs to answer a reload with no request. It
 * ends when a window would reach the header's directory (the walk's first read), or finds no predecessor.
 */
export class DirectoryPrefetch {
  readonly #source: RangeSource;
  readonly #layout: Layout;
  readonly #firstIfd: number;
  readonly #opts: ReadOptions;
  readonly #found: FoundDirectory[] = [];
  /** Spans asked for (held or on their way): a directory in one costs the walk no request of its own. */
  readonly #spans: Array<{ start: number; end: number }> = [];
  #ended = false;
  /** Wakes the walk's waits whenever a span is added or the prefetch ends. */
  #changed = signal();

  constructor(source: RangeSource, layout: Layout, firstIfd: number, opts: ReadOptions) {
    this.#source = source;
    this.#layout = layout;
    this.#firstIfd = firstIfd;
    this.#opts = opts;
  }

  /** Stops fetching ahead (the open failed). */
  stop(): void {
    this.#end();
  }

  /** Resolves once a directory at `offset` lies in a span asked for, or the prefetch has ended; at once for the header's. */
  async covers(offset: number): Promise<void> {
    while (offset !== this.#firstIfd && !this.#ended && !this.#spans.some((s) => offset >= s.start && offset < s.end)) await this.#changed.promise;
  }

  /** Starts from the tail read (`start` to the end of the file); resolves when it has nothing more to fetch ahead. */
  async run(start: number, tail: Promise<Uint8Array>): Promise<void> {
    try {
      this.#span(start, this.#layout.fileSize);
      this.#hold({ start, bytes: await tail });
      if (this.#ended) return;
      let current = this.#earliestLinked();
      for (let step = 0; current && step < MAX_STEPS; step++) {
        const end = current.dataStart;
        if (end === undefined) return;
        let previous = this.#pointingAt(current.offset);
        if (!previous) {
          const from = end - Math.min(ROUND_TRIP_BYTES, 4 * current.size + WINDOW_SLACK);
          // The header's directory in the window is the predecessor (Aperio puts the rest after the first level's
          // data): the walk's first read.
          if (from <= this.#firstIfd || this.#ended) return;
          const window = this.#source.read(from, end - from, this.#opts);
          this.#span(from, end);
          this.#hold({ start: from, bytes: await window });
          if (this.#ended) return;
          previous = this.#pointingAt(current.offset);
        }
        current = previous;
      }
    } finally {
      this.#end();
    }
  }

  #end(): void {
    this.#ended = true;
    this.#changed.resolve();
  }

  #span(start: number, end: number): void {
    this.#spans.push({ start, end });
    this.#changed.resolve();
    this.#changed = signal();
  }

  #hold(region: Region): void {
    this.#found.push(...directoriesIn(region, this.#layout));
  }

  #pointingAt(offset: number): FoundDirectory | undefined {
    return this.#found.find((d) => d.next === offset);
  }

  /** The lowest directory of a chain in the held bytes: one whose next pointer ends the chain or leads to another found. */
  #earliestLinked(): FoundDirectory | undefined {
    const offsets = new Set(this.#found.map((d) => d.offset));
    const linked = this.#found.filter((d) => d.next === 0 || offsets.has(d.next));
    return linked.sort((a, b) => a.offset - b.offset)[0];
  }
}

/** A promise with its resolver, for waking waits. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Every place in a region where a directory of an image lies whole: an entry count, entries of known types in
 * ascending tag order with an image width and tile or strip offsets, values inside the file, a next pointer inside
 * it. Random image data passes these checks with a vanishing chance, and a false find costs only a window's bytes.
 */
export function directoriesIn(region: Region, layout: Layout): FoundDirectory[] {
  const view = new ByteView(region.bytes, layout.littleEndian);
  const found: FoundDirectory[] = [];
  for (let pos = 0; pos < view.length; pos++) {
    const directory = directoryAt(view, pos, region.start, layout);
    if (directory) found.push(directory);
  }
  return found;
}

function directoryAt(view: ByteView, pos: number, regionStart: number, { bigTiff, fileSize }: Layout): FoundDirectory | undefined {
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  if (pos + countSize > view.length) return undefined;
  const count = bigTiff ? wide(view, pos) : view.u16(pos);
  if (count === 0 || count > MAX_ENTRIES || pos + countSize + count * entrySize + 4 > view.length) return undefined;
  const tags: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = pos + countSize + i * entrySize;
    const tag = view.u16(at);
    if ((i > 0 && tag <= tags[i - 1]!) || fieldSize(view.u16(at + 2)) === undefined) return undefined;
    tags.push(tag);
  }
  if (!tags.includes(Tag.ImageWidth) || !(tags.includes(Tag.TileOffsets) || tags.includes(Tag.StripOffsets))) return undefined;
  // NDPI: 8-byte next pointer, then a high half per entry for its value or offset (as tiff-reader.ts reads it).
  const ndpi = !bigTiff && tags.includes(NDPI_FORMAT_FLAG);
  const nextPos = pos + countSize + count * entrySize;
  const nextSize = bigTiff || ndpi ? 8 : 4;
  if (nextPos + nextSize + (ndpi ? 4 * count : 0) > view.length) return undefined;
  const next = nextSize === 8 ? wide(view, nextPos) : view.u32(nextPos);
  const offset = regionStart + pos;
  if (next >= fileSize || next === offset) return undefined;
  let size = countSize + count * entrySize + nextSize;
  let dataStart = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const at = pos + countSize + i * entrySize;
    const type = view.u16(at + 2);
    const valueSize = fieldSize(type)!;
    const values = bigTiff ? wide(view, at + 4) : view.u32(at + 4);
    const bytes = values * valueSize;
    const valuePos = at + (bigTiff ? 12 : 8);
    const high = ndpi ? view.u32(nextPos + 8 + 4 * i) * 2 ** 32 : 0;
    const inline = bytes <= (bigTiff ? 8 : 4) && !(ndpi && type === 2);
    if (!inline) {
      const valueOffset = (bigTiff ? wide(view, valuePos) : view.u32(valuePos)) + high;
      if (valueOffset + bytes > fileSize) return undefined;
      size += bytes;
    }
    if (tags[i] === Tag.TileOffsets || tags[i] === Tag.StripOffsets) {
      const at = inline ? valuePos : (bigTiff ? wide(view, valuePos) : view.u32(valuePos)) + high - regionStart;
      const first = lowestValue(view, at, values, valueSize) + (inline ? high : 0);
      if (first < offset) dataStart = Math.min(dataStart, first);
    }
  }
  return { offset, next, dataStart: Number.isFinite(dataStart) ? dataStart : undefined, size };
}

/** An unsigned 64-bit value as a number; beyond 2^53 (no real file) it is infinite, which fails every check above. */
function wide(view: ByteView, pos: number): number {
  const [low, high] = view.littleEndian ? [view.u32(pos), view.u32(pos + 4)] : [view.u32(pos + 4), view.u32(pos)];
  return high < 2 ** 21 ? low + high * 2 ** 32 : Number.POSITIVE_INFINITY;
}

/** The lowest non-zero value of an array of offsets at a view position; infinite when it is not all in the view. */
function lowestValue(view: ByteView, at: number, count: number, size: number): number {
  if (at < 0 || at + count * size > view.length || (size !== 2 && size !== 4 && size !== 8)) return Number.POSITIVE_INFINITY;
  let lowest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const p = at + i * size;
    const value = size === 2 ? view.u16(p) : size === 4 ? view.u32(p) : wide(view, p);
    if (value > 0) lowest = Math.min(lowest, value);
  }
  return lowest;
}
