import { SlideError, abortError, throwIfAborted } from '../errors.js';
import { checkRange, outOfBounds, type RangeSource, type ReadOptions } from './range-source.js';

export interface HttpSourceOptions {
  /** Extra request headers. Anything beyond `Range` makes browsers send a CORS preflight per request. */
  headers?: Record<string, string>;
  /** Bytes fetched by the first request, which also learns the size: every TIFF open reads its header there. */
  probeLength?: number;
  /** Known object size (from a listing), which saves nothing but a check. */
  size?: number;
  /** Identity for caches; defaults to the URL without query and fragment, so re-signed URLs keep it. */
  id?: string;
  fetch?: typeof fetch;
}

const DEFAULT_PROBE = 16 * 1024;

/** Parses `bytes a-b/total` or `bytes * /total`. */
function parseContentRange(header: string | null): { start?: number; end?: number; total?: number } {
  const m = header ? /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim()) : null;
  if (!m) return {};
  return {
    ...(m[1] !== undefined ? { start: Number(m[1]), end: Number(m[2]) } : {}),
    ...(m[3] !== '*' ? { total: Number(m[3]) } : {}),
  };
}

export function urlIdentity(url: string): string {
  const u = new URL(url, typeof location === 'undefined' ? undefined : location.href);
  return `${u.origin}${u.pathname}`;
}

/**
 * Any HTTP(S) server or presigned URL that answers Range requests. It remembers the object's size and
 * ETag from the first answer and reports an object that changes under it instead of mixing two versions.
 */
export class HttpSource implements RangeSource {
  readonly id: string;
  #url: string;
  readonly #headers: Record<string, string>;
  readonly #probeLength: number;
  readonly #fetch: typeof fetch;
  #size?: number;
  #etag?: string;
  /** The probe's bytes: the header and, for small files, all of them. */
  #head?: Uint8Array;
  #probing?: Promise<number>;

  constructor(url: string, options: HttpSourceOptions = {}) {
    this.#url = url;
    this.id = options.id ?? urlIdentity(url);
    this.#headers = options.headers ?? {};
    this.#probeLength = options.probeLength ?? DEFAULT_PROBE;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    if (options.size !== undefined) this.#size = options.size;
  }

  /** The ETag of the object being read, once a response carried one (needs `Access-Control-Expose-Headers: ETag` cross-origin). */
  get etag(): string | undefined {
    return this.#etag;
  }

  /** Points later reads at a new URL for the same object (a renewed presigned URL); size and ETag checks continue. */
  setUrl(url: string): void {
    this.#url = url;
  }

  async size(opts: ReadOptions = {}): Promise<number> {
    if (this.#size !== undefined) return this.#size;
    this.#probing ??= this.#probe(opts).finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #probe(opts: ReadOptions): Promise<number> {
    const { bytes, total } = await this.#fetchRange(0, this.#probeLength, opts, true);
    this.#head = bytes;
    return total;
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    checkRange(this.id, offset, length);
    const size = await this.size(opts);
    if (offset + length > size) throw outOfBounds(this.id, offset, length, size);
    if (length === 0) return new Uint8Array(0);
    const head = this.#head;
    if (head && offset + length <= head.length) return head.slice(offset, offset + length);
    return (await this.#fetchRange(offset, length, opts, false)).bytes;
  }

  /** One GET with `Range`; with `short` the server may answer fewer bytes (the probe of a small file). */
  async #fetchRange(offset: number, length: number, opts: ReadOptions, short: boolean): Promise<{ bytes: Uint8Array; total: number }> {
    throwIfAborted(opts.signal, this.id);
    const last = offset + length - 1;
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        headers: { ...this.#headers, Range: `bytes=${offset}-${last}` },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (cause) {
      if (opts.signal?.aborted) throw abortError(opts.signal, this.id);
      throw new SlideError(
        'network',
        `Could not reach ${this.id}: the network failed, or (in a browser) the server does not allow this page's origin. ` +
          'If the file is on S3 or another host, add a CORS rule allowing GET with the Range header and exposing Content-Range, ETag and Content-Length.',
        { cause, source: this.id },
      );
    }
    try {
      return await this.#readBody(response, offset, length, short, opts);
    } catch (e) {
      if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
      if (opts.signal?.aborted && !SlideError.is(e)) throw abortError(opts.signal, this.id);
      throw e;
    }
  }

  async #readBody(response: Response, offset: number, length: number, short: boolean, opts: ReadOptions): Promise<{ bytes: Uint8Array; total: number }> {
    const range = parseContentRange(response.headers.get('content-range'));
    if (response.status === 416) {
      if (range.total !== undefined) this.#size = range.total;
      throw outOfBounds(this.id, offset, length, range.total ?? NaN);
    }
    if (response.status !== 206 && response.status !== 200) throw httpError(this.id, response.status);
    this.#checkEtag(response.headers.get('etag'));

    let total: number;
    if (response.status === 206) {
      if (range.start !== offset || range.end === undefined) {
        throw new SlideError('range_unsupported', `${this.id} answered bytes ${range.start ?? '?'}-${range.end ?? '?'} when ${offset}-${offset + length - 1} were asked: the server's Range support is broken.`, { source: this.id });
      }
      if (range.total === undefined) {
        throw new SlideError('range_unsupported', `${this.id} sent a partial answer without the object's total size (Content-Range: bytes a-b/*); it cannot be read safely.`, { source: this.id });
      }
      total = range.total;
    } else {
      // 200: the server ignored Range and sends the whole object. Fine when the whole object is what we asked
      // for (a probe of a small file); anything else would download gigabytes, so stop and say so.
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (!(offset === 0 && Number.isFinite(declared) && declared <= length)) {
        throw new SlideError(
          'range_unsupported',
          `${this.id} ignores HTTP Range requests (it answered 200 with the whole file). Serve the slide from a server that supports Range (S3, nginx, Apache, any CDN).`,
          { source: this.id },
        );
      }
      total = declared;
    }
    if (this.#size !== undefined && this.#size !== total) {
      throw new SlideError('object_changed', `${this.id} changed size from ${this.#size} to ${total} bytes while it was being read. Reopen the slide.`, { source: this.id });
    }
    this.#size = total;

    const bytes = new Uint8Array(await response.arrayBuffer());
    throwIfAborted(opts.signal, this.id);
    const expected = Math.min(length, total - offset);
    if (bytes.length !== expected || (!short && expected !== length)) {
      throw new SlideError('truncated', `${this.id} sent ${bytes.length} bytes at offset ${offset} when ${expected} were due: the connection was cut or a proxy altered the answer. Try again.`, { source: this.id });
    }
    return { bytes, total };
  }

  #checkEtag(etag: string | null): void {
    if (etag === null) return;
    if (this.#etag === undefined) this.#etag = etag;
    else if (this.#etag !== etag) {
      throw new SlideError('object_changed', `${this.id} was replaced while it was being read (ETag ${this.#etag} became ${etag}). Reopen the slide to see the new version.`, { source: this.id });
    }
  }
}

function httpError(id: string, status: number): SlideError {
  const advice: Record<number, string> = {
    401: 'the server wants credentials: sign in or pass a signed URL.',
    403: 'access denied: the credentials lack permission, or the signed URL expired. Get a fresh URL or check the bucket policy.',
    404: 'no such object: check the URL or key.',
    429: 'the server is rate limiting: wait and try again.',
  };
  const what = advice[status] ?? (status >= 500 ? 'the server failed: try again later.' : 'the request was refused.');
  return new SlideError(`http_${status}`, `${id} answered HTTP ${status}: ${what}`, { source: id });
}
