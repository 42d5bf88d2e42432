import { SlideError } from '../errors.js';
import type { SampleLayout, TileCodec, TileColour } from '../slide/types.js';
import type { Attributes, BulkData } from './attributes.js';
import type { PixelDataElement } from './dicom-header.js';

/** VL Whole Slide Microscopy Image Storage. */
export const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';

export type InstanceRole = 'volume' | 'label' | 'overview' | 'thumbnail';

/** What a slide needs of one VL Whole Slide Microscopy instance. */
export interface WsiInstance {
  sourceId: string;
  sopInstanceUid: string;
  seriesUid: string;
  role: InstanceRole;
  /** Total pixel matrix. */
  width: number;
  height: number;
  frameWidth: number;
  frameHeight: number;
  frames: number;
  /** From the file meta; a DICOMweb server says it with each frame instead. */
  transferSyntax?: string;
  photometric: string;
  samplesPerPixel: number;
  /** Part 10 files: where the pixel data lies. */
  pixelData?: PixelDataElement;
  /** Per-frame tile positions (column, row in frames) where the tiling is not TILED_FULL; frame i at `positions[i]`. */
  positions?: Array<[number, number]>;
  /** A concatenation's instances share a UID; this one's first frame is frame `frameOffset` of the whole. */
  concatenation?: { uid: string; frameOffset: number };
  /** Micrometres per pixel (Pixel Spacing is in mm, row spacing first). */
  mpp?: { x: number; y: number };
  objectivePower?: number;
  /** The ICC profile (from the first optical path): its place in the file or its bulk-data URI, read only when asked for. */
  iccProfile?: BulkData;
  /** Extended Offset Table: offset and length of each frame's item, relative to the first item after the BOT. */
  extendedOffsets?: { offsets: number[]; lengths?: number[] };
  attributes: Attributes;
  /** Frame formats by transfer syntax, worked out once each (at open for a file; at the first frame for DICOMweb). */
  formats: Map<string, FrameFormat>;
}

/** How a frame is decoded: its codec, what its samples are, and their layout. */
export interface FrameFormat {
  codec: TileCodec;
  colour: TileColour;
  layout: SampleLayout;
}

interface CodecInfo {
  codec: TileCodec;
  /** `rgb` where the codestream carries its own colour (JPEG markers, JPEG 2000 transforms), else from the header. */
  colourFromHeader: boolean;
}

/** Transfer syntaxes read here, by codec. */
const TRANSFER_SYNTAXES: Record<string, CodecInfo> = {
  '1.2.840.10008.1.2': { codec: 'raw', colourFromHeader: true },
  '1.2.840.10008.1.2.1': { codec: 'raw', colourFromHeader: true },
  '1.2.840.10008.1.2.4.50': { codec: 'jpeg', colourFromHeader: false },
  '1.2.840.10008.1.2.4.90': { codec: 'jp2k', colourFromHeader: false },
  '1.2.840.10008.1.2.4.91': { codec: 'jp2k', colourFromHeader: false },
  '1.2.840.10008.1.2.4.80': { codec: 'jpegls', colourFromHeader: true },
  '1.2.840.10008.1.2.4.81': { codec: 'jpegls', colourFromHeader: true },
  '1.2.840.10008.1.2.4.201': { codec: 'htj2k', colourFromHeader: false },
  '1.2.840.10008.1.2.4.202': { codec: 'htj2k', colourFromHeader: false },
  '1.2.840.10008.1.2.4.203': { codec: 'htj2k', colourFromHeader: false },
};
const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};

function roleOf(attributes: Attributes): InstanceRole | undefined {
  const type = (attributes.string('x00080008', 2) ?? '').toUpperCase();
  if (type === 'LABEL') return 'label';
  if (type === 'OVERVIEW') return 'overview';
  if (type === 'THUMBNAIL') return 'thumbnail';
  if (type === 'VOLUME' || type === '') return 'volume'; // Writers that leave ImageType out (OrthancWSIDicomizer) write only levels.
  return undefined;
}

function numbers(attributes: Attributes, tag: string): number[] {
  return Array.from({ length: attributes.count(tag) }, (_, i) => attributes.decimal(tag, i)).filter((n): n is number => n !== undefined);
}

/** Frame positions from PlanePositionSlideSequence, in frames: absent for TILED_FULL (frames in row-major order). */
function framePositions(attributes: Attributes, frameWidth: number, frameHeight: number, frames: number, id: string): Array<[number, number]> | undefined {
  const tiledFull = (attributes.string('x00209311') ?? '').toUpperCase() === 'TILED_FULL';
  const perFrame = attributes.items('x52009230');
  if (tiledFull || perFrame.length === 0) return undefined;
  if (perFrame.length !== frames)
    throw new SlideError('corrupt', `${id}: ${perFrame.length} per-frame groups for ${frames} frames. The file is damaged.`, { source: id });
  return perFrame.map((group) => {
    const position = group.items('x0048021a')[0];
    const column = position?.int('x0048021e') ?? Number.NaN;
    const row = position?.int('x0048021f') ?? Number.NaN;
    // Positions are 1-based pixel positions of the frame's top-left corner in the total pixel matrix.
    if (!Number.isFinite(column) || !Number.isFinite(row) || (column - 1) % frameWidth !== 0 || (row - 1) % frameHeight !== 0) {
      throw new SlideError(
        'corrupt',
        `${id}: a frame position (${column}, ${row}) is not on the ${frameWidth}×${frameHeight} frame grid. The file is damaged.`,
        { source: id },
      );
    }
    return [(column - 1) / frameWidth, (row - 1) / frameHeight] as [number, number];
  });
}

function colourOf(photometric: string, samples: number, info: CodecInfo, id: string): TileColour {
  if (samples === 1) return photometric === 'MONOCHROME1' ? 'grey-inverted' : 'grey';
  if (!info.colourFromHeader) return 'rgb';
  if (photometric === 'RGB') return 'rgb';
  throw new SlideError('unsupported_pixels', `${id}: uncompressed ${photometric} frames are not read; only RGB and greyscale.`, { source: id });
}

/** The extended offset table (7FE0,0001/0002): 64-bit offsets and lengths, when the writer gave them. */
function extendedOffsets(attributes: Attributes): WsiInstance['extendedOffsets'] {
  const read = (tag: string) => {
    const bytes = attributes.bytes(tag);
    if (!bytes || bytes.length % 8 !== 0) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    return Array.from({ length: bytes.length / 8 }, (_, i) => Number(view.getBigUint64(i * 8, true)));
  };
  const offsets = read('x7fe00001');
  if (!offsets) return undefined;
  const lengths = read('x7fe00002');
  return { offsets, ...(lengths ? { lengths } : {}) };
}

/** How frames of this transfer syntax decode, or `unsupported_compression` naming it. */
export function frameFormat(instance: WsiInstance, transferSyntax: string | undefined): FrameFormat {
  const known = instance.formats.get(transferSyntax ?? '');
  if (known) return known;
  const id = instance.sourceId;
  const info = TRANSFER_SYNTAXES[transferSyntax ?? ''];
  if (!info) {
    const name = TRANSFER_SYNTAX_NAMES[transferSyntax ?? ''] ?? (transferSyntax || 'an unnamed transfer syntax');
    throw new SlideError(
      'unsupported_compression',
      `${id} is stored as ${name}, which wsi-stream does not decode. Supported: JPEG Baseline, JPEG 2000, JPEG-LS and uncompressed.`,
      {
        source: id,
      },
    );
  }
  const samples = instance.samplesPerPixel;
  if (samples === 3 && (instance.attributes.uint('x00280006') ?? 0) !== 0 && info.codec === 'raw') {
    throw new SlideError('unsupported_pixels', `${id}: uncompressed colour planes stored one after another (PlanarConfiguration 1) are not read.`, {
      source: id,
    });
  }
  const format: FrameFormat = {
    codec: info.codec,
    colour: colourOf(instance.photometric, samples, info, id),
    layout: { samplesPerPixel: samples, bitsPerSample: 8, predictor: 1, sampleFormat: 1, littleEndian: true },
  };
  instance.formats.set(transferSyntax ?? '', format);
  return format;
}

/**
 * The WSI facts of one instance from its attributes, or a typed refusal: `not_wsi` for other DICOM objects,
 * `unsupported_compression` naming a transfer syntax not read here (when the file meta gives one).
 */
export function wsiInstance(attributes: Attributes, sourceId: string, transferSyntax?: string, pixelData?: PixelDataElement): WsiInstance {
  try {
    return readInstance(attributes, sourceId, transferSyntax, pixelData);
  } catch (e) {
    if (SlideError.is(e)) throw e;
    // dicom-parser meets damage it does not check for (a value of the wrong type or length) with a TypeError.
    throw new SlideError('corrupt', `${sourceId}: a DICOM attribute cannot be read (${e instanceof Error ? e.message : String(e)}). The file is damaged.`, {
      source: sourceId,
      cause: e,
    });
  }
}

function readInstance(attributes: Attributes, sourceId: string, transferSyntax: string | undefined, pixelData: PixelDataElement | undefined): WsiInstance {
  const id = sourceId;
  const sopClass = attributes.string('x00080016') ?? attributes.string('x00020002') ?? '';
  if (sopClass !== WSI_SOP_CLASS) {
    throw new SlideError(
      'not_wsi',
      `${id} is a DICOM object of SOP class ${sopClass || '(none)'}, not a whole-slide image (VL Whole Slide Microscopy, ${WSI_SOP_CLASS}).`,
      {
        source: id,
      },
    );
  }
  const role = roleOf(attributes);
  if (!role)
    throw new SlideError('not_wsi', `${id}: ImageType ${attributes.string('x00080008', 2)} is no slide image (not VOLUME, LABEL, OVERVIEW or THUMBNAIL).`, {
      source: id,
    });
  const frameWidth = attributes.uint('x00280011') ?? 0;
  const frameHeight = attributes.uint('x00280010') ?? 0;
  const width = attributes.uint('x00480006') ?? frameWidth;
  const height = attributes.uint('x00480007') ?? frameHeight;
  const frames = attributes.decimal('x00280008') ?? 1;
  const samples = attributes.uint('x00280002') ?? 1;
  const bits = attributes.uint('x00280100') ?? 8;
  if (!frameWidth || !frameHeight || !width || !height || !Number.isInteger(frames) || frames < 1 || width > 2 ** 24 || height > 2 ** 24) {
    throw new SlideError(
      'corrupt',
      `${id}: the image has no usable size (${width}×${height}, frames ${frameWidth}×${frameHeight} ×${frames}). The file is damaged.`,
      { source: id },
    );
  }
  if (bits !== 8 || (samples !== 1 && samples !== 3)) {
    throw new SlideError('unsupported_pixels', `${id}: ${samples} samples of ${bits} bits per pixel are not read; 8-bit greyscale and RGB are.`, {
      source: id,
    });
  }
  const instance: WsiInstance = {
    sourceId: id,
    sopInstanceUid: attributes.string('x00080018') ?? id,
    seriesUid: attributes.string('x0020000e') ?? '',
    role,
    width,
    height,
    frameWidth,
    frameHeight,
    frames,
    photometric: (attributes.string('x00280004') ?? '').toUpperCase(),
    samplesPerPixel: samples,
    attributes,
    formats: new Map(),
  };
  if (transferSyntax !== undefined) {
    instance.transferSyntax = transferSyntax;
    // Checked now, so a file of a syntax not read here fails at open, not at its first tile.
    frameFormat(instance, transferSyntax);
  }
  if (pixelData) instance.pixelData = pixelData;
  else if (transferSyntax !== undefined) throw new SlideError('corrupt', `${id}: the DICOM image has no Pixel Data. The file is damaged.`, { source: id });
  const positions = framePositions(attributes, frameWidth, frameHeight, frames, id);
  if (positions) instance.positions = positions;
  const concatenation = attributes.string('x00209161');
  if (concatenation) instance.concatenation = { uid: concatenation, frameOffset: attributes.uint('x00209228') ?? 0 };
  const measures = attributes.items('x52009229')[0]?.items('x00289110')[0];
  const spacing = measures ? numbers(measures, 'x00280030') : [];
  if (spacing.length === 2 && spacing[0]! > 0 && spacing[1]! > 0) instance.mpp = { x: spacing[1]! * 1000, y: spacing[0]! * 1000 };
  const opticalPath = attributes.items('x00480105')[0];
  const power = opticalPath?.decimal('x00480112');
  if (power && power > 0) instance.objectivePower = power;
  const icc = opticalPath?.bulk('x00282000');
  if (icc) instance.iccProfile = icc;
  const eot = extendedOffsets(attributes);
  if (eot) instance.extendedOffsets = eot;
  return instance;
}
