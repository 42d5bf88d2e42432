import { SlideError } from '../errors.js';

export interface ReadOptions {
  signal?: AbortSignal;
}

/**
 * The only thing the TIFF parser sees of the outside world: a sized sequence of bytes read by range.
 * HTTP, S3, Blob, files and every cache are implementations or wrappers of this one interface.
 */
export interface RangeSource {
  /** Stable identity for caches and messages: URL without query, s3://bucket/key, file name. */
  readonly id: string;
  size(opts?: ReadOptions): Promise<number>;
  /**
   * The version of the object read, where the source can tell (HttpSource: the ETag its first answer carried),
   * for caches that must drop what they hold once the object changes. Wrappers pass it on.
   */
  readonly version?: string | undefined;
  /** Exactly `length` bytes from `offset`, or a SlideError (`read_past_end` past the end). */
  read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array>;
  /** Releases what the source holds open (a file handle); wrappers pass it on. */
  close?(): Promise<void>;
}

/** Rejects ranges no source can serve, before any I/O: negative, fractional, or beyond what a double counts exactly. */
export function checkRange(id: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || !Number.isSafeInteger(offset + length)) {
    throw new SlideError(
      'invalid_argument',
      `Cannot read ${length} bytes at offset ${offset} of ${id}: offset and length must be non-negative safe integers.`,
      { source: id },
    );
  }
}

export function outOfBounds(id: string, offset: number, length: number, size: number): SlideError {
  return new SlideError(
    'read_past_end',
    `Read of ${length} bytes at offset ${offset} runs past the end of ${id} (${size} bytes): the file is truncated or an offset in it is wrong.`,
    { source: id },
  );
}
