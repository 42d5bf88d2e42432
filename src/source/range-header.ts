/** The offset that marks a suffix request (`bytes=-N`: the last N bytes) where a read names its range. */
export const SUFFIX = -1;

/** The `Range` header asking for `length` bytes from `offset` (or, with SUFFIX, the last `length`). */
export function rangeHeader(offset: number, length: number): string {
  return offset === SUFFIX ? `bytes=-${length}` : `bytes=${offset}-${offset + length - 1}`;
}

/** Parses `bytes a-b/total` or `bytes * /total`. */
export function parseContentRange(header: string | null): { start?: number; end?: number; total?: number } {
  const m = header ? /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim()) : null;
  if (!m) return {};
  return {
    ...(m[1] !== undefined ? { start: Number(m[1]), end: Number(m[2]) } : {}),
    ...(m[3] !== '*' ? { total: Number(m[3]) } : {}),
  };
}

/**
 * Whether a suffix range to this URL would cost a CORS preflight (a round trip before it, and so no gain): in a
 * browser, cross-origin, where only ranges with a start (`bytes=N-M`) are CORS-safelisted and no other header already
 * makes every request preflighted. Node and same-origin pages send it as it is.
 */
export function suffixPreflighted(url: string, headers: Record<string, string> = {}): boolean {
  if (typeof location === 'undefined' || typeof location.origin !== 'string') return false;
  return new URL(url, location.href).origin !== location.origin && Object.keys(headers).length === 0;
}
