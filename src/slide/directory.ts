import { SlideError } from '../errors.js';
import type { Ifd } from '../tiff/ifd.js';
import { Compression, Photometric, Tag } from '../tiff/tags.js';
import type { SampleLayout, TileCodec, TileColour } from './types.js';

/** What the slide model needs to know of one image directory, read once from its loaded tags. */
export interface DirectoryInfo {
  ifd: Ifd;
  width: number;
  height: number;
  tiled: boolean;
  /** Tile size, or for strips the image width and RowsPerStrip. */
  blockWidth: number;
  blockHeight: number;
  compression: number;
  photometric: number;
  planar: number;
  newSubfileType: number;
  description: string | undefined;
  layout: SampleLayout;
}

export function describeDirectory(ifd: Ifd, littleEndian: boolean, sourceId: string): DirectoryInfo {
  const width = ifd.number(Tag.ImageWidth);
  const height = ifd.number(Tag.ImageLength);
  // Real slides stay below a few hundred thousand pixels a side; beyond 2^24 the size itself is corrupt.
  if (!width || !height || width > 2 ** 24 || height > 2 ** 24) {
    throw new SlideError(
      'corrupt',
      `${sourceId}: the image directory at offset ${ifd.offset} has no usable image size (${width ?? '?'}×${height ?? '?'}). The file is damaged.`,
      { source: sourceId },
    );
  }
  const tiled = ifd.has(Tag.TileWidth) && ifd.has(Tag.TileOffsets);
  const blockWidth = tiled ? (ifd.number(Tag.TileWidth) ?? 0) : width;
  const blockHeight = tiled ? (ifd.number(Tag.TileLength) ?? 0) : Math.min(ifd.number(Tag.RowsPerStrip) ?? height, height);
  // 2^16 pixels per tile side is far beyond any scanner's tiles (240–1024); more is a hostile file asking us to allocate.
  if (blockWidth < 1 || blockHeight < 1 || blockWidth > 65536 || blockHeight > 65536) {
    throw new SlideError(
      'corrupt',
      `${sourceId}: the image directory at offset ${ifd.offset} has an impossible tile size ${blockWidth}×${blockHeight}. The file is damaged.`,
      { source: sourceId },
    );
  }
  const samplesPerPixel = ifd.number(Tag.SamplesPerPixel) ?? 1;
  return {
    ifd,
    width,
    height,
    tiled,
    blockWidth,
    blockHeight,
    compression: ifd.number(Tag.Compression) ?? Compression.None,
    photometric: ifd.number(Tag.Photometric) ?? (samplesPerPixel >= 3 ? Photometric.RGB : Photometric.MinIsBlack),
    planar: ifd.number(Tag.PlanarConfiguration) ?? 1,
    newSubfileType: ifd.number(Tag.NewSubfileType) ?? 0,
    description: ifd.string(Tag.ImageDescription),
    layout: {
      samplesPerPixel,
      bitsPerSample: ifd.number(Tag.BitsPerSample) ?? 1,
      predictor: ifd.number(Tag.Predictor) ?? 1,
      sampleFormat: ifd.number(Tag.SampleFormat) ?? 1,
      littleEndian,
    },
  };
}

const CODECS: Record<number, TileCodec> = {
  [Compression.None]: 'raw',
  [Compression.LZW]: 'lzw',
  [Compression.JPEG]: 'jpeg',
  [Compression.AdobeDeflate]: 'deflate',
  [Compression.Deflate]: 'deflate',
  [Compression.PackBits]: 'packbits',
  [Compression.Jp2kYCbCr]: 'jp2k',
  [Compression.Jp2kRGB]: 'jp2k',
  [Compression.ZSTD]: 'zstd',
  [Compression.WebP]: 'webp',
};

const COMPRESSION_NAMES: Record<number, string> = {
  6: 'old-style JPEG (6)',
  33004: 'Aperio JPEG 2000 33004',
  34712: 'JPEG 2000 (34712)',
  34892: 'lossy JPEG (34892)',
  34925: 'LZMA (34925)',
};

/** The codec of a TIFF Compression value, when it is one wsi-stream decodes (see codecOf for the checks and messages). */
export function codecOfCompression(compression: number): TileCodec | undefined {
  return CODECS[compression];
}

/** The codec for a directory's compression, or `unsupported_compression` naming what was found. */
export function codecOf(info: DirectoryInfo, sourceId: string): TileCodec {
  if (info.compression === Compression.JPEG && info.layout.bitsPerSample !== 8) {
    throw new SlideError(
      'unsupported_jpeg_12bit',
      `${sourceId} stores ${info.layout.bitsPerSample}-bit JPEG tiles, which browsers cannot decode; wsi-stream reads 8-bit JPEG only. Convert it with \`vips tiffsave --tile --pyramid --compression jpeg\`.`,
      { source: sourceId },
    );
  }
  const codec = codecOfCompression(info.compression);
  if (codec) return codec;
  const name = COMPRESSION_NAMES[info.compression] ?? `compression ${info.compression}`;
  throw new SlideError(
    'unsupported_compression',
    `${sourceId} uses ${name}, which wsi-stream cannot decode. Supported: JPEG, JPEG 2000 (Aperio 33003/33005), LZW, Deflate, ZSTD, PackBits, WebP and uncompressed. Convert it with \`vips tiffsave --tile --pyramid --compression jpeg\`.`,
    { source: sourceId },
  );
}

/** What the decoded samples are. JPEG 2000 33003 is a YCbCr codestream whatever Photometric says. */
export function colourOf(info: DirectoryInfo): TileColour {
  if (info.compression === Compression.Jp2kYCbCr || info.photometric === Photometric.YCbCr) return 'ycbcr';
  if (info.photometric === Photometric.MinIsWhite) return 'grey-inverted';
  if (info.photometric === Photometric.MinIsBlack) return 'grey';
  return info.layout.samplesPerPixel >= 4 ? 'rgba' : 'rgb';
}
