import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.svs': 'image/tiff',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** The Content-Type a file is served with, by its extension. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The bytes a single-range `Range` header asks for, clamped to the file (start past end: unsatisfiable); undefined
 * without one (the whole file, 200). `bytes=a-b`, `bytes=a-`, and the suffix `bytes=-n` (RFC 9110 §14.1.2: the last n
 * bytes, which readers ask for beside the first ones).
 */
function requestedRange(range: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
  if (m) return { start: Number(m[1]), end: Math.min(m[2] ? Number(m[2]) : size - 1, size - 1) };
  const suffix = /^bytes=-(\d+)$/.exec(range ?? '');
  if (suffix) return { start: Math.max(0, size - Number(suffix[1])), end: size - 1 };
  return undefined;
}

/**
 * Answers a GET or HEAD for an existing file of `size` bytes: 206 with Content-Range for a single `bytes=a-b`,
 * `bytes=a-` or `bytes=-n` range, 416 past the end (and for `bytes=-0`), 200 with the whole file otherwise. `range`
 * defaults to the request's Range header (a test server passes none to play a server that ignores Range).
 */
export function answerRange(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  size: number,
  options: { etag: string; range?: string | undefined },
): { status: number; bytes: number } {
  res.setHeader('ETag', options.etag);
  res.setHeader('Content-Type', contentTypeOf(file));
  res.setHeader('Accept-Ranges', 'bytes');
  const range = 'range' in options ? options.range : req.headers.range;
  const asked = requestedRange(range, size);
  let status = 200;
  let start = 0;
  let end = size - 1;
  if (asked) {
    ({ start, end } = asked);
    if (start >= size || end < start) {
      res.setHeader('Content-Range', `bytes */${size}`);
      res.writeHead(416).end();
      return { status: 416, bytes: 0 };
    }
    status = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  const bytes = size === 0 ? 0 : end - start + 1;
  res.setHeader('Content-Length', bytes);
  res.writeHead(status);
  if (req.method === 'HEAD' || bytes === 0) res.end();
  else createReadStream(file, { start, end }).pipe(res);
  return { status, bytes };
}
