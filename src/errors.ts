/** Every failure the library reports carries one of these codes; hosts switch on `code`, never on text. */
export type SlideErrorCode =
  | 'not_tiff'
  /** DICOM: a file of a series that is no Part 10 file; a DICOM object that is not a whole-slide image; a series whose instances do not fit together. */
  | 'not_dicom'
  | 'not_wsi'
  | 'inconsistent_series'
  | 'not_tiled'
  | 'not_pyramidal'
  | 'unsupported_compression'
  | 'unsupported_pixels'
  /** Formats recognised but not read (yet), each named so a host can say which: MIRAX, Leica SCN, 12-bit JPEG, JPEG-LS in TIFF. */
  | 'unsupported_mirax'
  | 'unsupported_leica_scn'
  | 'unsupported_jpeg_12bit'
  | 'unsupported_jpeg_ls'
  | 'corrupt'
  | 'truncated'
  /** A tile, level or array element that does not exist: the caller asked for something outside the slide. */
  | 'out_of_bounds'
  /** A read runs past the end of the object: the file is truncated, or an offset in it is wrong. */
  | 'read_past_end'
  | 'tile_missing'
  | 'no_such_associated'
  | 'range_unsupported'
  | 'object_changed'
  | 'not_found'
  | 'access_denied'
  | 'credentials_expired'
  | 'wrong_region'
  | 'cors_blocked'
  | 'network'
  | 'aborted'
  | 'worker_failed'
  | 'invalid_argument'
  /** An optional peer dependency (sharp, the AWS SDK) that this entry needs is not installed. */
  | 'missing_dependency'
  /** The slide's ICC profile cannot be parsed or used: its stored colours are shown uncorrected. */
  | 'unsupported_colour_profile'
  /** An annotation that breaks a rule of the model (a polygon of two points, a colour that is not hex); the message says which. */
  | 'invalid_annotation'
  /** Annotation data in a format that cannot be read (not GeoJSON, not ImageScope XML, not the fork's JSON). */
  | 'unsupported_annotation_format'
  | `http_${number}`;

export interface SlideErrorOptions {
  cause?: unknown;
  /** The `RangeSource.id` the failure concerns, so messages name the slide. */
  source?: string;
}

/** The one error type of the library: a code to branch on, a message saying what happened and what to do. */
export class SlideError extends Error {
  override readonly name = 'SlideError';
  readonly code: SlideErrorCode;
  readonly source?: string;

  constructor(code: SlideErrorCode, message: string, options: SlideErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.source !== undefined) this.source = options.source;
  }

  /** True for a SlideError, also one rebuilt on the far side of a worker boundary (plain object with `name` and `code`). */
  static is(e: unknown): e is SlideError {
    return (
      e instanceof SlideError ||
      (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'SlideError' && typeof (e as { code?: unknown }).code === 'string')
    );
  }
}

/** The error to throw when an AbortSignal fired: keeps the `aborted` code whatever reason the caller gave. */
export function abortError(signal: AbortSignal | undefined, source?: string): SlideError {
  return new SlideError('aborted', 'The operation was aborted by its caller.', { cause: signal?.reason, ...(source === undefined ? {} : { source }) });
}

export function throwIfAborted(signal: AbortSignal | undefined, source?: string): void {
  if (signal?.aborted) throw abortError(signal, source);
}
