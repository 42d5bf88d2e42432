import { SlideError } from '../errors.js';

/** The error codes of WSIStreamer's interface, which clients branch on. */
export type ApiErrorCode =
  | 'invalid_level'
  | 'tile_out_of_bounds'
  | 'invalid_quality'
  | 'invalid_request'
  | 'missing_signature'
  | 'missing_expiry'
  | 'signature_expired'
  | 'invalid_signature'
  | 'invalid_signature_format'
  | 'invalid_expiry_format'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_format'
  | 'io_error'
  | 'storage_error'
  | 'decode_error'
  | 'encode_error'
  | 'connection_error'
  /** Annotation routes: a body that is not JSON, not JSON of the right shape, too large, or not labelled JSON. */
  | 'invalid_json'
  | 'invalid_body'
  | 'payload_too_large'
  | 'unsupported_media_type';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_level: 400,
  tile_out_of_bounds: 400,
  invalid_quality: 400,
  invalid_request: 400,
  invalid_signature_format: 400,
  invalid_expiry_format: 400,
  missing_signature: 401,
  missing_expiry: 401,
  signature_expired: 401,
  invalid_signature: 401,
  not_found: 404,
  method_not_allowed: 405,
  unsupported_format: 415,
  io_error: 500,
  storage_error: 500,
  decode_error: 500,
  encode_error: 500,
  connection_error: 502,
  invalid_json: 400,
  invalid_body: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
};

/** An error answered as `{"error","message","status"}`. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** More for the client to act on (which batch item failed, an import's problems), after the three fields. */
  readonly details: Record<string, unknown> | undefined;
  /** Sent as `Allow` with a 405. */
  readonly allow: string | undefined;

  constructor(code: ApiErrorCode, message: string, extra: { details?: Record<string, unknown>; allow?: string } = {}) {
    super(message);
    this.code = code;
    this.status = STATUS[code];
    this.details = extra.details;
    this.allow = extra.allow;
  }

  json(): string {
    return JSON.stringify({ error: this.code, message: this.message, status: this.status, ...this.details });
  }
}

/** The library's SlideError codes in the interface's terms. */
export function apiErrorOf(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (!SlideError.is(e)) return new ApiError('io_error', 'Internal error.');
  const message = e.message;
  switch (e.code) {
    case 'not_found':
    case 'http_404':
    case 'no_such_associated':
      return new ApiError('not_found', message);
    case 'not_tiff':
    case 'not_dicom':
    case 'not_wsi':
    case 'inconsistent_series':
    case 'not_tiled':
    case 'not_pyramidal':
    case 'unsupported_compression':
    case 'unsupported_pixels':
    case 'unsupported_mirax':
    case 'unsupported_leica_scn':
    case 'unsupported_jpeg_12bit':
    case 'unsupported_jpeg_ls':
      return new ApiError('unsupported_format', message);
    case 'corrupt':
    case 'truncated':
    case 'read_past_end':
      return new ApiError('decode_error', message);
    case 'network':
    case 'cors_blocked':
      return new ApiError('connection_error', message);
    case 'access_denied':
    case 'credentials_expired':
    case 'wrong_region':
    case 'range_unsupported':
    case 'object_changed':
      return new ApiError('storage_error', message);
    default:
      return new ApiError(e.code.startsWith('http_5') ? 'connection_error' : 'io_error', message);
  }
}
