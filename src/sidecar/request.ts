import type { IncomingMessage } from 'node:http';
import { ApiError } from './http-error.js';
import { queryParams } from './signature.js';

/** A request as the routes see it: the raw (still percent-encoded) path, its segments decoded, the query. */
export interface ApiRequest {
  method: string;
  rawPath: string;
  segments: string[];
  params: Array<[string, string]>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export function parseRequest(req: IncomingMessage): ApiRequest {
  const url = req.url ?? '/';
  if (url.length > 8192) throw new ApiError('invalid_request', 'The URL is too long.');
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  if (!rawPath.startsWith('/')) throw new ApiError('invalid_request', 'The request path must start with "/".');
  let segments: string[];
  try {
    // Each segment is decoded on its own, so a key's "%2F" stays inside its segment.
    segments = rawPath
      .split('/')
      .slice(1)
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new ApiError('invalid_request', 'The path is not valid percent-encoding.');
  }
  let params: Array<[string, string]>;
  try {
    params = queryParams(rawQuery);
  } catch {
    throw new ApiError('invalid_request', 'The query string is malformed.');
  }
  return { method: req.method ?? 'GET', rawPath, segments, params, query: new URLSearchParams(params), headers: req.headers };
}

/** An integer query parameter within [min, max] (clamped), or the default; anything not an integer is a 400. */
export function intParam(
  req: ApiRequest,
  name: string,
  fallback: number,
  min: number,
  max: number,
  code: 'invalid_request' | 'invalid_quality' = 'invalid_request',
): number {
  const value = req.query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^-?\d+$/.test(value)) throw new ApiError(code, `\`${name}\` must be an integer, not "${value.slice(0, 50)}".`);
  return Math.min(max, Math.max(min, Number(value)));
}

/** A path segment that must be a non-negative integer (levels, tile coordinates). */
export function intSegment(value: string | undefined, name: string, code: 'invalid_level' | 'tile_out_of_bounds'): number {
  if (value === undefined || !/^\d{1,9}$/.test(value)) throw new ApiError(code, `${name} must be a non-negative integer, not "${(value ?? '').slice(0, 50)}".`);
  return Number(value);
}
