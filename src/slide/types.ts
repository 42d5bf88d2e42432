import type { ReadOptions } from '../source/range-source.js';

/** Each format reader's own name; the readers to come (OME-TIFF, NDPI, DICOM) are listed so hosts can switch on them. */
export type SlideFormat = 'aperio-svs' | 'generic-tiff' | 'ome-tiff' | 'hamamatsu-ndpi' | 'dicom';
export type AssociatedName = 'label' | 'macro' | 'thumbnail';

export interface SlideLevel {
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
  tilesX: number;
  tilesY: number;
  /** Level 0 size over this level's size, averaged over both axes as OpenSlide does; need not be an integer. */
  downsample: number;
  /**
   * NDPI: the pixels one restart interval covers (what OpenSlide calls a tile). A tile here is a run of them that is
   * one contiguous range of the file; a level without restart markers is one interval, and one tile.
   */
  restartInterval?: { width: number; height: number };
}

/** How decoders must read the samples of non-JPEG codecs. */
export interface SampleLayout {
  samplesPerPixel: number;
  bitsPerSample: number;
  /** 1 none, 2 horizontal differencing, 3 floating point. */
  predictor: number;
  /** TIFF SampleFormat: 1 unsigned, 2 signed, 3 float. */
  sampleFormat: number;
  littleEndian: boolean;
}

/** Every codec a tile may be stored in (the values of TileCodec, for checking one read from elsewhere). */
export const TILE_CODECS = ['jpeg', 'jp2k', 'htj2k', 'jpegls', 'lzw', 'deflate', 'zstd', 'packbits', 'raw', 'webp'] as const;
export type TileCodec = (typeof TILE_CODECS)[number];
export type TileColour = 'rgb' | 'rgba' | 'ycbcr' | 'grey' | 'grey-inverted';

export interface EncodedTile {
  codec: TileCodec;
  /** Self-contained bytes: a standalone JPEG (tables spliced, colour marker set), a JPEG 2000 codestream, or compressed samples. */
  bytes: Uint8Array;
  /** True size after cropping at the image edge. */
  width: number;
  height: number;
  /** Size as stored, padded to the full tile. */
  stored: { width: number; height: number };
  /** What the decoded samples are; for JPEG the stream itself already tells the decoder (Adobe marker). */
  colour: TileColour;
  layout: SampleLayout;
  /** The tile is absent from the file (offset or byte count 0): draw nothing there. */
  missing?: true;
  /**
   * Decode, then average each `reduce`×`reduce` block into one pixel (2, 4 or 8): NDPI levels below its smallest page,
   * which OpenSlide makes by libjpeg's DCT scaling. `stored` is the size before reducing, `width`/`height` after.
   */
  reduce?: number;
}

/** An associated image (label, macro, thumbnail): stored as strips, each decoded on its own and stacked. */
export interface EncodedImage {
  name: AssociatedName;
  width: number;
  height: number;
  /** Strips top to bottom; each tile's `height` is its true row count and `top` its first row. */
  strips: Array<EncodedTile & { top: number }>;
}

/** What the reads below a slide cost so far, as one flat snapshot: what a network panel or a stats endpoint shows. */
export interface SlideIoSnapshot {
  /** Reads that reached the byte source (network requests for HTTP), and their bytes. */
  requests: number;
  bytes: number;
  metadataCacheHits: number;
  metadataCacheMisses: number;
  /** Metadata bytes held in memory now. */
  metadataCacheBytes: number;
  /** Reads served by a request shared with others. */
  coalescedReads: number;
  /** The IndexedDB range cache; 0 when the slide was opened without one. */
  persistentCacheHits: number;
  persistentCacheMisses: number;
}

/** The slide's embedded ICC profile, found when the slide opened but read only when something asks for it (profiles reach 13 MB). */
export interface ColourProfile {
  /** Bytes of the profile. */
  readonly size: number;
  read(opts?: ReadOptions): Promise<Uint8Array>;
}

/** One channel of a slide whose channels are separate planes (OME-TIFF fluorescence). */
export interface SlideChannel {
  /** From the file, else "Channel N". */
  name: string;
  /** The colour the file gives it (OME `Color`), if any; viewers fall back to a palette. */
  colour?: readonly [number, number, number];
  /** 8 or 16: the range its samples span. */
  bitsPerSample: number;
}

/** How a tile is read: abortable; for slides with channels, which channel; for slides with planes, which Z and T (default 0 each). */
export interface TileReadOptions extends ReadOptions {
  channel?: number;
  z?: number;
  t?: number;
}

/** What every format reader returns, and all that the viewer, the sidecar and the CLI use of a slide. */
export interface Slide {
  /** Identity of the slide's bytes (URL without query, s3://bucket/key, file name): for caches and messages. */
  readonly sourceId: string;
  readonly format: SlideFormat;
  readonly width: number;
  readonly height: number;
  /** 0 = full resolution. */
  readonly levels: readonly SlideLevel[];
  readonly mpp?: { x: number; y: number };
  readonly magnification?: number;
  /** OpenSlide's property names: openslide.*, aperio.*, tiff.* */
  readonly properties: Readonly<Record<string, string>>;
  readonly associated: readonly AssociatedName[];
  /** The embedded colour profile, if the slide has one. */
  readonly colourProfile?: ColourProfile;
  /**
   * Channels stored as separate greyscale planes (multichannel fluorescence), read one at a time with
   * `readTile(…, { channel })` and composited by the viewer; absent for RGB slides.
   */
  readonly channels?: readonly SlideChannel[];
  /** Focal planes and time points (OME-TIFF with SizeZ or SizeT above 1), read with `readTile(…, { z, t })`; the first is the default. */
  readonly planes?: { readonly z: number; readonly t: number };
  /** Width and height of an associated image, without reading it. */
  associatedSize(name: AssociatedName): { width: number; height: number } | undefined;
  readTile(level: number, x: number, y: number, opts?: TileReadOptions): Promise<EncodedTile>;
  readAssociated(name: AssociatedName, opts?: ReadOptions): Promise<EncodedImage>;
  ioStats(): SlideIoSnapshot;
  close(): Promise<void>;
}
