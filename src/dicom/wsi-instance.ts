import type { DataSet } from 'dicom-parser';
import { SlideError } from '../errors.js';
import type { SampleLayout, TileCodec, TileColour } from '../slide/types.js';
import type { DicomHeader, PixelDataElement } from './dicom-header.js';

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
  transferSyntax: string;
  codec: TileCodec;
  colour: TileColour;
  layout: SampleLayout;
  pixelData: PixelDataElement;
  /** Per-frame tile positions (column, row in frames) where the tiling is not TILED_FULL; frame i at `positions[i]`. */
  positions?: Array<[number, number]>;
  /** A concatenation's instances share a UID; this one's first frame is frame `frameOffset` of the whole. */
  concatenation?: { uid: string; frameOffset: number };
  /** Micrometres per pixel (Pixel Spacing is in mm, row spacing first). */
  mpp?: { x: number; y: number };
  objectivePower?: number;
  /** The ICC profile's bytes in the file (from the first optical path), read only when asked for. */
  iccProfile?: { offset: number; length: number };
  /** Extended Offset Table: offset and length of each frame's item, relative to the first item after the BOT. */
  extendedOffsets?: { offsets: number[]; lengths?: number[] };
  dataSet: DataSet;
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
};
const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};

/** The items of a sequence, as data sets. */
function items(dataSet: DataSet | undefined, tag: string): DataSet[] {
  return (dataSet?.elements[tag]?.items ?? []).flatMap((item) => (item.dataSet ? [item.dataSet] : []));
}

/** Value `index` of a multi-valued string attribute; undefined past its values (dicom-parser throws there). */
export function valueAt(dataSet: DataSet, tag: string, index: number): string | undefined {
  return index < (dataSet.numStringValues(tag) ?? 0) ? dataSet.string(tag, index) : undefined;
}

function roleOf(dataSet: DataSet): InstanceRole | undefined {
  const type = (valueAt(dataSet, 'x00080008', 2) ?? '').toUpperCase();
  if (type === 'LABEL') return 'label';
  if (type === 'OVERVIEW') return 'overview';
  if (type === 'THUMBNAIL') return 'thumbnail';
  if (type === 'VOLUME' || type === '') return 'volume'; // Writers that leave ImageType out (OrthancWSIDicomizer) write only levels.
  return undefined;
}

function numbers(dataSet: DataSet, tag: string): number[] {
  const count = dataSet.numStringValues(tag) ?? 0;
  return Array.from({ length: count }, (_, i) => Number.parseFloat(valueAt(dataSet, tag, i) ?? '')).filter((n) => Number.isFinite(n));
}

/** Frame positions from PlanePositionSlideSequence, in frames: absent for TILED_FULL (frames in row-major order). */
function framePositions(dataSet: DataSet, frameWidth: number, frameHeight: number, frames: number, id: string): Array<[number, number]> | undefined {
  const tiledFull = (dataSet.string('x00209311') ?? '').toUpperCase() === 'TILED_FULL';
  const perFrame = items(dataSet, 'x52009230');
  if (tiledFull || perFrame.length === 0) return undefined;
  if (perFrame.length !== frames)
    throw new SlideError('corrupt', `${id}: ${perFrame.length} per-frame groups for ${frames} frames. The file is damaged.`, { source: id });
  return perFrame.map((group) => {
    const position = items(group, 'x0048021a')[0];
    const column = position?.int32('x0048021e') ?? Number.parseInt(position?.string('x0048021e') ?? '', 10);
    const row = position?.int32('x0048021f') ?? Number.parseInt(position?.string('x0048021f') ?? '', 10);
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
function extendedOffsets(dataSet: DataSet): WsiInstance['extendedOffsets'] {
  const read = (tag: string) => {
    const element = dataSet.elements[tag];
    if (!element || element.length % 8 !== 0) return undefined;
    const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length);
    return Array.from({ length: element.length / 8 }, (_, i) => Number(view.getBigUint64(i * 8, true)));
  };
  const offsets = read('x7fe00001');
  if (!offsets) return undefined;
  const lengths = read('x7fe00002');
  return { offsets, ...(lengths ? { lengths } : {}) };
}

/**
 * The WSI facts of one instance from its header, or a typed refusal: `not_wsi` for other DICOM objects,
 * `unsupported_compression` naming a transfer syntax not read here.
 */
export function wsiInstance(header: DicomHeader, sourceId: string): WsiInstance {
  try {
    return readInstance(header, sourceId);
  } catch (e) {
    if (SlideError.is(e)) throw e;
    // dicom-parser meets damage it does not check for (a value of the wrong type or length) with a TypeError.
    throw new SlideError('corrupt', `${sourceId}: a DICOM attribute cannot be read (${e instanceof Error ? e.message : String(e)}). The file is damaged.`, {
      source: sourceId,
      cause: e,
    });
  }
}

function readInstance(header: DicomHeader, sourceId: string): WsiInstance {
  const { dataSet, transferSyntax, pixelData } = header;
  const id = sourceId;
  const sopClass = dataSet.string('x00080016') ?? dataSet.string('x00020002') ?? '';
  if (sopClass !== WSI_SOP_CLASS) {
    throw new SlideError(
      'not_wsi',
      `${id} is a DICOM object of SOP class ${sopClass || '(none)'}, not a whole-slide image (VL Whole Slide Microscopy, ${WSI_SOP_CLASS}).`,
      {
        source: id,
      },
    );
  }
  const info = TRANSFER_SYNTAXES[transferSyntax];
  if (!info) {
    const name = TRANSFER_SYNTAX_NAMES[transferSyntax] ?? transferSyntax;
    throw new SlideError(
      'unsupported_compression',
      `${id} is stored as ${name}, which wsi-stream does not decode. Supported: JPEG Baseline, JPEG 2000, JPEG-LS and uncompressed.`,
      {
        source: id,
      },
    );
  }
  if (!pixelData) throw new SlideError('corrupt', `${id}: the DICOM image has no Pixel Data. The file is damaged.`, { source: id });
  const role = roleOf(dataSet);
  if (!role)
    throw new SlideError('not_wsi', `${id}: ImageType ${valueAt(dataSet, 'x00080008', 2)} is no slide image (not VOLUME, LABEL, OVERVIEW or THUMBNAIL).`, {
      source: id,
    });
  const frameWidth = dataSet.uint16('x00280011') ?? 0;
  const frameHeight = dataSet.uint16('x00280010') ?? 0;
  const width = dataSet.uint32('x00480006') ?? frameWidth;
  const height = dataSet.uint32('x00480007') ?? frameHeight;
  const frames = Number.parseInt(dataSet.string('x00280008') ?? '1', 10);
  const samples = dataSet.uint16('x00280002') ?? 1;
  const bits = dataSet.uint16('x00280100') ?? 8;
  if (!frameWidth || !frameHeight || !width || !height || !(frames > 0) || width > 2 ** 24 || height > 2 ** 24) {
    throw new SlideError(
      'corrupt',
      `${id}: the image has no usable size (${width}×${height}, frames ${frameWidth}×${frameHeight} ×${frames}). The file is damaged.`,
      { source: id },
    );
  }
  if (bits !== 8 || (samples !== 1 && samples !== 3) || (samples === 3 && (dataSet.uint16('x00280006') ?? 0) !== 0 && info.codec === 'raw')) {
    // (JPEG-LS and JPEG 2000 codestreams say their own component layout; only native data uses PlanarConfiguration.)
    throw new SlideError(
      'unsupported_pixels',
      `${id}: ${samples} samples of ${bits} bits per pixel${info.codec === 'raw' ? ' (planar)' : ''} are not read; 8-bit greyscale and RGB are.`,
      { source: id },
    );
  }
  const photometric = (dataSet.string('x00280004') ?? '').toUpperCase();
  const instance: WsiInstance = {
    sourceId: id,
    sopInstanceUid: dataSet.string('x00080018') ?? id,
    seriesUid: dataSet.string('x0020000e') ?? '',
    role,
    width,
    height,
    frameWidth,
    frameHeight,
    frames,
    transferSyntax,
    codec: info.codec,
    colour: colourOf(photometric, samples, info, id),
    layout: { samplesPerPixel: samples, bitsPerSample: 8, predictor: 1, sampleFormat: 1, littleEndian: true },
    pixelData,
    dataSet,
  };
  const positions = framePositions(dataSet, frameWidth, frameHeight, frames, id);
  if (positions) instance.positions = positions;
  const concatenation = dataSet.string('x00209161');
  if (concatenation) instance.concatenation = { uid: concatenation, frameOffset: dataSet.uint32('x00209228') ?? 0 };
  const measures = items(items(dataSet, 'x52009229')[0], 'x00289110')[0];
  const spacing = measures ? numbers(measures, 'x00280030') : [];
  if (spacing.length === 2 && spacing[0]! > 0 && spacing[1]! > 0) instance.mpp = { x: spacing[1]! * 1000, y: spacing[0]! * 1000 };
  const opticalPath = items(dataSet, 'x00480105')[0];
  const power = opticalPath ? Number.parseFloat(opticalPath.string('x00480112') ?? '') : Number.NaN;
  if (power > 0) instance.objectivePower = power;
  const icc = opticalPath?.elements.x00282000;
  if (icc && icc.length > 0) instance.iccProfile = { offset: icc.dataOffset, length: icc.length };
  const eot = extendedOffsets(dataSet);
  if (eot) instance.extendedOffsets = eot;
  return instance;
}
