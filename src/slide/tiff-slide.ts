import { SlideError } from '../errors.js';
import { joinedJpegStrips } from './joined-strips.js';
import { PrefetchedSource } from '../source/prefetched-source.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { Tag } from '../tiff/tags.js';
import type { TiffReader } from '../tiff/tiff-reader.js';
import { parseAperioDescription } from './aperio.js';
import type { DirectoryInfo } from './directory.js';
import { levelOf, type SlideLayout, slideLayout } from './layout.js';
import { openslideProperties, tiffProperties } from './properties.js';
import { SlideBase, type SlideFacts } from './slide-base.js';
import { MAX_ASSOCIATED_PIXELS, tiffColourProfile } from './slide-checks.js';
import { emptyIoStats, ioSnapshot, type SlideIoStats } from './slide-io.js';
import { readBlock, tileRequest } from './tile-reader.js';
import { type OmeImage, omeProperties } from './ome-xml.js';
import type { AssociatedName, EncodedImage, EncodedTile, SlideChannel, SlideIoSnapshot, TileReadOptions } from './types.js';

/** The facts of a TIFF-structured slide (Aperio, generic, OME) from its layout and first directory. */
function tiffFacts(tiff: TiffReader, layout: SlideLayout, sourceId: string): SlideFacts {
  const base = layout.levels[0]!;
  const levels = layout.levels.map((dir) => levelOf(dir, base));
  const facts: SlideFacts = { format: layout.format, sourceId, levels, properties: {}, associated: [...layout.associated.keys()].sort() };
  const first = tiff.ifds[0]!;
  const description = first.string(Tag.ImageDescription);
  const properties: Record<string, string> = { ...tiffProperties(first), ...openslideProperties(layout.format, levels, description) };
  if (layout.format === 'aperio-svs' && description !== undefined) {
    Object.assign(properties, parseAperioDescription(description));
    const mpp = Number.parseFloat(properties['aperio.MPP'] ?? '');
    if (mpp > 0) {
      facts.mpp = { x: mpp, y: mpp };
      properties['openslide.mpp-x'] = String(mpp);
      properties['openslide.mpp-y'] = String(mpp);
    }
    const appMag = properties['aperio.AppMag'];
    if (appMag !== undefined && Number.parseFloat(appMag) > 0) {
      facts.magnification = Number.parseFloat(appMag);
      properties['openslide.objective-power'] = appMag;
    }
  }
  if (layout.ome) {
    Object.assign(properties, omeProperties(layout.ome));
    const size = layout.ome.physicalSize;
    if (size) {
      facts.mpp = size;
      properties['openslide.mpp-x'] = String(size.x);
      properties['openslide.mpp-y'] = String(size.y);
    }
    if (layout.channels) facts.channels = slideChannels(layout.ome, layout.channels);
    if (layout.ome.sizeZ > 1 || layout.ome.sizeT > 1) facts.planes = { z: layout.ome.sizeZ, t: layout.ome.sizeT };
  }
  facts.properties = properties;
  // Scanners write the profile on every page; the first one's stands for the slide.
  const profile = tiffColourProfile(first, sourceId);
  if (profile) facts.colourProfile = profile;
  return facts;
}

/** A slide read from a TIFF: metadata through the reader's (cached, block-aligned) source, tile bytes straight from `data`. */
export class TiffSlide extends SlideBase {
  readonly #data: RangeSource;
  /** Level directories per channel (one channel unless the channels are separate planes), at the first Z and T. */
  readonly #channelDirs: DirectoryInfo[][];
  readonly #planeLevels: SlideLayout['planeLevels'];
  /** Other planes' level directories, found on first use. */
  readonly #planeDirs = new Map<string, DirectoryInfo[]>();
  readonly #associatedDirs: Map<AssociatedName, DirectoryInfo>;
  /** The reader's walk of directories behind the open, which `close` lets finish so the cache keeps what it read. */
  readonly #walked: Promise<void>;

  /** Live counters of the reads below this slide: what a network panel shows. */
  readonly io: SlideIoStats;

  constructor(tiff: TiffReader, data: RangeSource, io: SlideIoStats = emptyIoStats()) {
    const layout = slideLayout(tiff);
    super(tiffFacts(tiff, layout, data.id));
    this.io = io;
    this.#data = data;
    this.#channelDirs = layout.channels ?? [layout.levels];
    this.#planeLevels = layout.planeLevels;
    this.#associatedDirs = layout.associated;
    this.#walked = tiff.walked;
  }

  ioStats(): SlideIoSnapshot {
    return ioSnapshot(this.io);
  }

  async readTile(level: number, x: number, y: number, opts: TileReadOptions = {}): Promise<EncodedTile> {
    const channel = opts.channel ?? 0;
    this.checkedTile(level, x, y, opts);
    const info = this.#planeDirectories(channel, opts.z ?? 0, opts.t ?? 0)[level]!;
    if (info.planar !== 1 && info.layout.samplesPerPixel > 1) {
      throw new SlideError(
        'unsupported_pixels',
        `${this.sourceId} stores colour planes separately (PlanarConfiguration 2), which wsi-stream does not read. Convert it with \`vips tiffsave\`.`,
        { source: this.sourceId },
      );
    }
    return readBlock(this.#data, tileRequest(info, x, y), opts);
  }

  #planeDirectories(channel: number, z: number, t: number): DirectoryInfo[] {
    if (z === 0 && t === 0) return this.#channelDirs[channel]!;
    const key = `${channel}/${z}/${t}`;
    let dirs = this.#planeDirs.get(key);
    if (!dirs) {
      dirs = this.#planeLevels!(channel, z, t);
      this.#planeDirs.set(key, dirs);
    }
    return dirs;
  }

  /** Width and height of an associated image, without reading it. */
  associatedSize(name: AssociatedName): { width: number; height: number } | undefined {
    const info = this.#associatedDirs.get(name);
    return info ? { width: info.width, height: info.height } : undefined;
  }

  /**
   * Finishes the directories' walk and pending cache writes, and releases the underlying source (a Node file handle).
   * A reload then reads from the cache every range this visit read, those of levels predicted at the open too.
   */
  async close(): Promise<void> {
    await this.#walked;
    await this.#data.close?.();
  }

  async readAssociated(name: AssociatedName, opts: ReadOptions = {}): Promise<EncodedImage> {
    const info = this.#associatedDirs.get(name);
    if (!info) throw this.noSuchAssociated(name);
    if (info.tiled) {
      throw new SlideError('unsupported_pixels', `${this.sourceId}: the ${name} image is tiled, which associated images never are in the formats read here.`, {
        source: this.sourceId,
      });
    }
    const count = Math.ceil(info.height / info.blockHeight);
    const listed = info.ifd.entries.get(Tag.StripOffsets)?.count ?? 0;
    // A label or macro is at most a few million pixels; a bigger one, or a strip table that does not match
    // the image, is a damaged file asking for a huge allocation.
    if (count !== listed || info.width * info.height > MAX_ASSOCIATED_PIXELS) {
      throw new SlideError(
        'corrupt',
        `${this.sourceId}: the ${name} image (${info.width}×${info.height}, ${listed} strips for ${count} expected) is inconsistent. The file is damaged.`,
        { source: this.sourceId },
      );
    }
    const data = await this.#prefetchStrips(info, opts);
    const strips = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const top = i * info.blockHeight;
        const tile = await readBlock(data, { info, index: i, width: info.width, height: Math.min(info.blockHeight, info.height - top) }, opts);
        return { ...tile, top };
      }),
    );
    const joined = joinedJpegStrips(strips, info.width, info.height);
    return { name, width: info.width, height: info.height, strips: joined ? [joined] : strips };
  }

  /**
   * Strip offsets of an associated image are a few dozen entries: load them whole, and fetch all strips in
   * one request when they lie together (as scanners write them) instead of one request per strip.
   */
  async #prefetchStrips(info: DirectoryInfo, opts: ReadOptions): Promise<RangeSource> {
    await info.ifd.load([Tag.StripOffsets, Tag.StripByteCounts], opts);
    const offsets = info.ifd.cached(Tag.StripOffsets);
    const counts = info.ifd.cached(Tag.StripByteCounts);
    if (!Array.isArray(offsets) || !Array.isArray(counts) || offsets.length !== counts.length) return this.#data;
    if (![...offsets, ...counts].every((v) => Number.isSafeInteger(v) && v >= 0)) return this.#data;
    const present = offsets.map((o, i) => [o, o + counts[i]!] as const).filter(([o, end]) => o > 0 && end > o);
    if (present.length === 0) return this.#data;
    const start = Math.min(...present.map(([o]) => o));
    const end = Math.max(...present.map(([, e]) => e));
    const useful = present.reduce((sum, [o, e]) => sum + e - o, 0);
    // Gaps up to a quarter of the useful bytes cost less than the extra round trips they save.
    if (end - start > useful * 1.25) return this.#data;
    return PrefetchedSource.fetch(this.#data, start, end, opts);
  }
}

/** The channels of an OME image stored as planes: names and colours from the OME-XML, bit depth from the directories. */
function slideChannels(ome: OmeImage, channels: DirectoryInfo[][]): SlideChannel[] {
  return channels.map((levels, c) => {
    const described = ome.channels[c];
    return {
      name: described?.name ?? `Channel ${c + 1}`,
      ...(described?.colour ? { colour: described.colour } : {}),
      bitsPerSample: levels[0]!.layout.bitsPerSample,
    };
  });
}
