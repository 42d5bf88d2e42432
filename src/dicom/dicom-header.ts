import dicomParser, { type DataSet } from 'dicom-parser';
import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';

/** Where a Part 10 file's "DICM" magic sits, after its 128-byte preamble. */
export const DICM_OFFSET = 128;
/**
 * The first read: one metadata block, the one detecting the format (or an HTTP source's first request) already
 * brought, so a header that fits costs no request of its own; most WSI headers do (sparse tilings' per-frame groups aside).
 */
const FIRST_READ = 4096;
/** Each further read is this many times larger, so even a header of megabytes takes a few requests. */
const GROWTH = 16;
/** A header past this is not a slide's (even a TILED_SPARSE one with a million frames stays well below). */
const MAX_HEADER = 256 * 1024 * 1024;

/** The Pixel Data element of an instance, as found after its header (the values themselves are not read). */
export interface PixelDataElement {
  /** File offset of the element's value: the first item header when encapsulated, the first frame's first byte when native. */
  offset: number;
  /** The value's length; undefined for encapsulated data (undefined length, ended by a sequence delimiter). */
  length?: number;
  encapsulated: boolean;
}

export interface DicomHeader {
  dataSet: DataSet;
  transferSyntax: string;
  pixelData?: PixelDataElement;
  fileSize: number;
}

/** Whether a file's first bytes are a DICOM Part 10 file ("DICM" after the preamble). */
export function isDicomPart10(head: Uint8Array): boolean {
  return head.length >= DICM_OFFSET + 4 && String.fromCharCode(...head.subarray(DICM_OFFSET, DICM_OFFSET + 4)) === 'DICM';
}

function parse(bytes: Uint8Array): DataSet | undefined {
  try {
    return dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch {
    // The bytes end inside an element (or the file is damaged): the caller reads more, or gives up at the file's end.
    return undefined;
  }
}

/**
 * Reads a Part 10 file's meta and dataset up to the Pixel Data element's header, never the pixel data: a first read
 * of 4 KiB (through the metadata cache), then sixteen times more until the header parses or the file ends.
 */
export async function readDicomHeader(source: RangeSource, opts: ReadOptions): Promise<DicomHeader> {
  const fileSize = await source.size(opts);
  const id = source.id;
  for (let size = Math.min(FIRST_READ, fileSize); ; size = Math.min(size * GROWTH, fileSize, MAX_HEADER)) {
    const bytes = await source.read(0, size, opts);
    if (!isDicomPart10(bytes)) {
      throw new SlideError(
        'not_dicom',
        `${id} is not a DICOM Part 10 file (no "DICM" after the 128-byte preamble); a folder or a list of files opens as one DICOM series, every file an instance of it.`,
        { source: id },
      );
    }
    const dataSet = parse(bytes);
    const element = dataSet?.elements.x7fe00010;
    if (dataSet && (element || size >= fileSize)) {
      const transferSyntax = dataSet.string('x00020010') ?? '';
      if (!element) return { dataSet, transferSyntax, fileSize };
      const encapsulated = element.length === 0xffffffff || element.length === -1;
      const pixelData: PixelDataElement = { offset: element.dataOffset, encapsulated, ...(encapsulated ? {} : { length: element.length }) };
      return { dataSet, transferSyntax, pixelData, fileSize };
    }
    if (size >= fileSize || size >= MAX_HEADER) {
      throw new SlideError('corrupt', `${id}: its DICOM dataset cannot be parsed up to the pixel data. The file is damaged or truncated.`, { source: id });
    }
  }
}
