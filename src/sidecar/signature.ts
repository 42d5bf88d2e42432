import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './http-error.js';

/**
 * WSIStreamer's signed URLs: HMAC-SHA256 over the request path exactly as received (still percent-encoded),
 * "?", and every query parameter but `sig` and `vt`, URL-decoded, sorted by key then value, joined as k=v&….
 */
export function canonicalMessage(rawPath: string, params: ReadonlyArray<[string, string]>): string {
  const signed = params.filter(([k]) => k !== 'sig' && k !== 'vt').sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return `${rawPath}?${signed.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

export function hmacHex(secret: string, message: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(message, 'utf8').digest('hex');
}

/** The viewer token for one slide: HMAC of "viewer:" + id + ":" + exp. It binds nothing else. */
export function viewerToken(secret: string, slideId: string, exp: number): string {
  return hmacHex(secret, `viewer:${slideId}:${exp}`);
}

/** Query parameters as received, decoded, in order, duplicates kept (they matter: a second `sig` is an error). */
export function queryParams(rawQuery: string): Array<[string, string]> {
  return [...new URLSearchParams(rawQuery)];
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

const WRITES = new Set(['POST', 'PUT', 'DELETE']);

/**
 * What a signature covers: the seed's message for reads; for writes, the method, a newline, then the same message, so
 * a URL signed for reading cannot write (the annotation fork signed no method: any read URL could also delete).
 */
export function signedMessage(method: string, rawPath: string, params: ReadonlyArray<[string, string]>): string {
  const m = method.toUpperCase();
  return WRITES.has(m) ? `${m}\n${canonicalMessage(rawPath, params)}` : canonicalMessage(rawPath, params);
}

/** Checks a request's `exp`+`sig` (or `exp`+`vt` for `slideId`) as WSIStreamer does, throwing the seed's error codes. */
export function verifyRequest(
  secret: string,
  rawPath: string,
  params: ReadonlyArray<[string, string]>,
  slideId: string | undefined,
  now = Date.now() / 1000,
  method = 'GET',
): void {
  const all = (k: string) => params.filter(([key]) => key === k).map(([, v]) => v);
  const exps = all('exp');
  const sigs = all('sig');
  const vts = all('vt');
  if (exps.length === 0) throw new ApiError('missing_expiry', 'This URL needs an `exp` parameter (and a signature): ask the service for a signed URL.');
  if (sigs.length > 1 || vts.length > 1) throw new ApiError('invalid_signature_format', 'The URL carries more than one signature.');
  if (exps.length > 1 || !/^\d+$/.test(exps[0]!)) throw new ApiError('invalid_expiry_format', '`exp` must be one integer Unix time in seconds.');
  if (sigs.length === 0 && vts.length === 0) throw new ApiError('missing_signature', 'This URL needs a `sig` parameter: ask the service for a signed URL.');
  const exp = Number(exps[0]);
  const given = (sigs[0] ?? vts[0])!;
  if (!/^[0-9a-f]{64}$/.test(given)) throw new ApiError('invalid_signature_format', 'The signature must be 64 lowercase hexadecimal digits.');
  if (now > exp) throw new ApiError('signature_expired', 'This signed URL has expired: ask for a fresh one.');
  const expected =
    sigs.length > 0 ? hmacHex(secret, signedMessage(method, rawPath, params)) : slideId !== undefined ? viewerToken(secret, slideId, exp) : undefined;
  if (expected === undefined || !constantTimeEqual(given, expected)) throw new ApiError('invalid_signature', 'The signature does not match this URL.');
}

/** A signed URL for `path` (already percent-encoded) with extra parameters, valid `ttl` seconds from `now`, for `method`. */
export function signUrl(
  secret: string,
  path: string,
  ttl: number,
  params: Record<string, string> = {},
  now = Math.floor(Date.now() / 1000),
  method = 'GET',
): { url: string; signature: string; expiry: number } {
  const expiry = now + ttl;
  const entries: Array<[string, string]> = [...Object.entries(params), ['exp', String(expiry)]];
  const signature = hmacHex(secret, signedMessage(method, path, entries));
  const query = new URLSearchParams([...entries, ['sig', signature]]).toString();
  return { url: `${path}?${query}`, signature, expiry };
}
