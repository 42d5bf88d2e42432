import { METADATA_BLOCK_BYTES, ROUND_TRIP_BYTES } from '../source/round-trip-bytes.js';

/**
 * The end of the file is read while the header is: scanners, libvips and tifffile put the small levels' directories,
 * offset arrays and tiles last, so this one request saves a round trip per directory it holds, and the first
 * viewport's tiles often come with it. The size is what one round trip is worth: reading it costs about as much as the
 * one round trip it must save to pay for itself.
 */
export const TAIL_READ_AHEAD = ROUND_TRIP_BYTES;

/** A file named `.dcm` (query and fragment aside) is DICOM, whose reader never wants the file's ends read ahead. */
export function namedAsDicom(id: string): boolean {
  return /\.dcm$/i.test(id.split(/[?#]/)[0]!);
}

/**
 * What a source that must learn the size first should ask of the file's end beside its first request (an HTTP
 * source's suffix range), for a file of this name: the tail read, from the block boundary at or before it (the
 * metadata cache reads whole blocks); nothing for a DICOM file.
 */
export function tailRequestLength(id: string): number {
  return namedAsDicom(id) ? 0 : TAIL_READ_AHEAD + METADATA_BLOCK_BYTES;
}

/** Where the tail read begins in a file of this size. */
export function tailStart(fileSize: number): number {
  return Math.max(0, fileSize - TAIL_READ_AHEAD);
}

/** The request the tail read becomes once the metadata cache has widened it to whole blocks. */
export function tailRequest(fileSize: number): { offset: number; length: number } {
  const offset = Math.floor(tailStart(fileSize) / METADATA_BLOCK_BYTES) * METADATA_BLOCK_BYTES;
  return { offset, length: fileSize - offset };
}
