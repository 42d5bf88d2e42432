import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { Tag } from '../tiff/tags.js';
import type { TiffReader } from '../tiff/tiff-reader.js';
import { hamamatsuProperties, NdpiTag } from './hamamatsu.js';
import { type NdpiLayout, type NdpiPage, ndpiLayout, REDUCED_LEVEL_SCALES } from './ndpi-layout.js';
import { openslideProperties, resolutionMpp, tiffProperties } from './properties.js';
import { restartRunJpeg } from './restart-jpeg.js';
import { SlideBase, type SlideFacts } from './slide-base.js';
import { checkAssociatedSize, tiffColourProfile } from './slide-checks.js';
import { emptyIoStats, ioSnapshot, type SlideIoStats } from './slide-io.js';
import type { AssociatedName, EncodedImage, EncodedTile, SlideIoSnapshot, SlideLevel, TileReadOptions } from './types.js';

/** A level: a page, read at full size or reduced by 2, 4 or 8 after decoding (the levels OpenSlide adds below the smallest page). */
interface NdpiLevel {
  page: NdpiPage;
  reduce: number;
}

const JPEG_LAYOUT = { samplesPerPixel: 3, bitsPerSample: 8, predictor: 1, sampleFormat: 1, littleEndian: true } as const;

/**
 * A Hamamatsu NDPI slide. Each level is one JPEG with a restart marker after every interval of MCUs, and a tag
 * listing where each interval's data starts; a tile is a run of intervals, read in one request and rewritten as a
 * JPEG of its own (restartRunJpeg), so no level JPEG is ever read whole unless it has no restart markers.
 */
export class NdpiSlide extends SlideBase {
  /** Live counters of the reads below this slide. */
  readonly io: SlideIoStats;
  readonly #data: RangeSource;
  readonly #levels: NdpiLevel[];
  readonly #macro: NdpiLayout['macro'];

  static async open(tiff: TiffReader, data: RangeSource, io: SlideIoStats, opts: ReadOptions): Promise<NdpiSlide> {
    const first = tiff.ifds[0]!;
    const [layout] = await Promise.all([ndpiLayout(tiff, opts), first.load([NdpiTag.PropertyMap, NdpiTag.Reference], opts)]);
    return new NdpiSlide(tiff, layout, data, io);
  }

  private constructor(tiff: TiffReader, layout: NdpiLayout, data: RangeSource, io: SlideIoStats = emptyIoStats()) {
    const levels = pyramidOf(layout.pages);
    super(ndpiFacts(tiff, layout, levels, data.id));
    this.#data = data;
    this.io = io;
    this.#levels = levels;
    this.#macro = layout.macro;
  }

  ioStats(): SlideIoSnapshot {
    return ioSnapshot(this.io);
  }

  associatedSize(name: AssociatedName): { width: number; height: number } | undefined {
    return name === 'macro' && this.#macro ? { width: this.#macro.width, height: this.#macro.height } : undefined;
  }

  async readTile(level: number, x: number, y: number, opts: TileReadOptions = {}): Promise<EncodedTile> {
    const geometry = this.checkedTile(level, x, y, opts);
    const { page, reduce } = this.#levels[level]!;
    const width = Math.min(geometry.tileWidth, geometry.width - x * geometry.tileWidth);
    const height = Math.min(geometry.tileHeight, geometry.height - y * geometry.tileHeight);
    const tile = {
      codec: 'jpeg' as const,
      width,
      height,
      stored: { width: geometry.tileWidth * reduce, height: geometry.tileHeight * reduce },
      colour: 'ycbcr' as const,
      layout: JPEG_LAYOUT,
      ...(reduce > 1 ? { reduce } : {}),
    };
    if (page.unitsAcross * page.unitsDown === 1) return { ...tile, bytes: await this.#data.read(page.start, page.length, opts) };
    return { ...tile, bytes: await this.#readRun(page, x, y, opts) };
  }

  /**
   * The tile's restart intervals: where they start and end (two MCU starts, through the metadata cache), then their
   * bytes in one request (with the 2-byte marker before them).
   */
  async #readRun(page: NdpiPage, x: number, y: number, opts: ReadOptions): Promise<Uint8Array> {
    const across = Math.min(page.tileUnitsAcross, page.unitsAcross - x * page.tileUnitsAcross);
    const down = Math.min(page.tileUnitsDown, page.unitsDown - y * page.tileUnitsDown);
    const first = y * page.tileUnitsDown * page.unitsAcross + x * page.tileUnitsAcross;
    const intervals = across * down;
    const after = first + intervals;
    const last = page.unitsAcross * page.unitsDown;
    const [start, end] = await Promise.all([this.#mcuStart(page, first, opts), after < last ? this.#mcuStart(page, after, opts) : page.length]);
    if (!(first === 0 ? start === page.frame.headerLength : start >= page.frame.headerLength + 2) || !(end > start && end <= page.length)) {
      throw new SlideError('corrupt', `${this.sourceId}: NDPI MCU starts ${start}–${end} lie outside their ${page.length}-byte JPEG. The file is damaged.`, {
        source: this.sourceId,
      });
    }
    // From the marker ending the interval before, which proves the start lies where an interval begins.
    const from = first === 0 ? start : start - 2;
    const data = await this.#data.read(page.start + from, end - from, opts);
    const pixelWidth = Math.min(across * page.unitWidth, page.width - x * page.tileUnitsAcross * page.unitWidth);
    const pixelHeight = Math.min(down * page.unitHeight, page.height - y * page.tileUnitsDown * page.unitHeight);
    return restartRunJpeg({
      header: page.header,
      sofPos: page.frame.sofPos,
      data,
      first,
      intervals,
      width: pixelWidth,
      height: pixelHeight,
      source: this.sourceId,
    });
  }

  async #mcuStart(page: NdpiPage, index: number, opts: ReadOptions): Promise<number> {
    const [low, high] = await Promise.all([
      page.ifd.element(NdpiTag.McuStarts, index, opts),
      page.ifd.has(NdpiTag.McuStartsHigh) ? page.ifd.element(NdpiTag.McuStartsHigh, index, opts) : 0,
    ]);
    return low + high * 2 ** 32;
  }

  async readAssociated(name: AssociatedName, opts: ReadOptions = {}): Promise<EncodedImage> {
    const macro = this.#macro;
    if (name !== 'macro' || !macro) throw this.noSuchAssociated(name);
    checkAssociatedSize(name, macro.width, macro.height, this.sourceId);
    const start = macro.ifd.number(Tag.StripOffsets);
    const length = macro.ifd.number(Tag.StripByteCounts);
    if (!start || !length) throw new SlideError('corrupt', `${this.sourceId}: the macro image has no data. The file is damaged.`, { source: this.sourceId });
    const bytes = await this.#data.read(start, length, opts);
    const { width, height } = macro;
    return { name, width, height, strips: [{ codec: 'jpeg', bytes, width, height, stored: { width, height }, colour: 'ycbcr', layout: JPEG_LAYOUT, top: 0 }] };
  }

  async close(): Promise<void> {
    await this.#data.close?.();
  }
}

/** The facts of an NDPI slide, as OpenSlide reports them. */
function ndpiFacts(tiff: TiffReader, layout: NdpiLayout, pyramid: NdpiLevel[], sourceId: string): SlideFacts {
  const base = layout.pages[0]!;
  const levels = pyramid.map(({ page, reduce }) => levelGeometry(page, reduce, base));
  const first = tiff.ifds[0]!;
  const properties: Record<string, string> = {
    ...tiffProperties(first),
    // OpenSlide's "tiles" are the restart intervals themselves; ours group them (see info's restart interval).
    ...openslideProperties(
      'hamamatsu-ndpi',
      levels.map((level) => ({ ...level, tileWidth: level.restartInterval!.width, tileHeight: level.restartInterval!.height })),
      first.string(Tag.ImageDescription),
    ),
    ...hamamatsuProperties(first),
  };
  const facts: SlideFacts = { format: 'hamamatsu-ndpi', sourceId, levels, properties, associated: layout.macro ? ['macro'] : [] };
  const mpp = resolutionMpp(first);
  if (mpp) {
    facts.mpp = mpp;
    properties['openslide.mpp-x'] = String(mpp.x);
    properties['openslide.mpp-y'] = String(mpp.y);
  }
  const lens = first.number(NdpiTag.SourceLens);
  if (lens !== undefined && lens > 0) facts.magnification = lens;
  const profile = tiffColourProfile(first, sourceId);
  if (profile) facts.colourProfile = profile;
  return facts;
}

/** A level's size (reduced levels round down, as OpenSlide sizes them) and its tiles. */
function levelGeometry(page: NdpiPage, reduce: number, base: NdpiPage): SlideLevel {
  const width = Math.floor(page.width / reduce);
  const height = Math.floor(page.height / reduce);
  const whole = page.unitsAcross * page.unitsDown === 1;
  const tileWidth = whole ? width : (page.tileUnitsAcross * page.unitWidth) / reduce;
  const tileHeight = whole ? height : (page.tileUnitsDown * page.unitHeight) / reduce;
  return {
    width,
    height,
    tileWidth,
    tileHeight,
    tilesX: Math.ceil(width / tileWidth),
    tilesY: Math.ceil(height / tileHeight),
    downsample: (base.width / width + base.height / height) / 2,
    restartInterval: { width: page.unitWidth / reduce, height: page.unitHeight / reduce },
  };
}

/**
 * The levels as OpenSlide 3.4.1 makes them: every page, and every page reduced by 2, 4 and 8 where its restart
 * interval divides evenly, one level per width (a real page, or the smaller page, wins a tie), largest first.
 */
function pyramidOf(pages: readonly NdpiPage[]): NdpiLevel[] {
  const byWidth = new Map<number, NdpiLevel>();
  for (const page of pages) {
    for (const reduce of [1, ...REDUCED_LEVEL_SCALES]) {
      if (page.unitWidth % reduce !== 0 || page.unitHeight % reduce !== 0) continue;
      byWidth.set(Math.floor(page.width / reduce), { page, reduce });
    }
  }
  return [...byWidth.entries()].sort(([a], [b]) => b - a).map(([, level]) => level);
}
