/** TIFF tag numbers the reader and the slide model use (TIFF 6.0, BigTIFF, Adobe and EXIF supplements). */
export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  DocumentName: 269,
  ImageDescription: 270,
  Make: 271,
  Model: 272,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  DateTime: 306,
  Artist: 315,
  HostComputer: 316,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SubIFDs: 330,
  ExtraSamples: 338,
  SampleFormat: 339,
  JPEGTables: 347,
  YCbCrSubsampling: 530,
  ReferenceBlackWhite: 532,
  XMP: 700,
  Copyright: 33432,
  ICCProfile: 34675,
} as const;

/** Field types and their sizes in bytes. */
export const FieldType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  SBYTE: 6,
  UNDEFINED: 7,
  SSHORT: 8,
  SLONG: 9,
  SRATIONAL: 10,
  FLOAT: 11,
  DOUBLE: 12,
  IFD: 13,
  LONG8: 16,
  SLONG8: 17,
  IFD8: 18,
} as const;

const FIELD_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

/** Size of one value of a field type, or undefined for a type TIFF does not define (readers must skip such entries). */
export function fieldSize(type: number): number | undefined {
  return FIELD_SIZES[type];
}

/** Compression values the slide model names; see codec registry for what decodes them. */
export const Compression = {
  None: 1,
  LZW: 5,
  OldJPEG: 6,
  JPEG: 7,
  AdobeDeflate: 8,
  PackBits: 32773,
  Deflate: 32946,
  Jp2kYCbCr: 33003,
  Jp2kAperio33004: 33004,
  Jp2kRGB: 33005,
  ZSTD: 50000,
  WebP: 50001,
} as const;

export const Photometric = { MinIsWhite: 0, MinIsBlack: 1, RGB: 2, Palette: 3, YCbCr: 6 } as const;

/** NDPI's format tag: present in every NDPI directory and in no other TIFF. */
export const NDPI_FORMAT_FLAG = 65420;
