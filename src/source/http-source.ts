import { SlideError, abortError, throwIfAborted } from '../errors.js';
import { corsAdvice } from './cors-rule.js';
import { checkRange, outOfBounds, type RangeSource, type ReadOptions } from './range-source.js';
import { HEAD_READ_AHEAD } from './round-trip-bytes.js';
import { s3Error } from './s3-errors.js';
import { abandonOnAbort } from './shared-abort.js';
import { concatBytes } from './concat-bytes.js';
import type { UrlProvider } from './url-provider.js';
import { urlIdentity } from './url-identity.js';
import { takeEarlyRead } from './early-probe.js';
import { parseContentRange, rangeHeader, SUFFIX, suffixPreflighted } from './range-header.js';
import { backoffDelay, isTransient, sleep, type RetryOptions } from './retry.js';

export interface HttpSourceOptions {
  /** Extra request headers. Anything beyond `Range` makes browsers send a CORS preflight per request. */
  headers?: Record<string, string>;
  /** Bytes fetched by the first request, which also learns the size: every TIFF open reads its header there. */
  probeLength?: number;
  /**
   * Bytes read from the end of the object by a request sent beside the probe (a suffix range, `bytes=-N`), for
   * formats that keep their directories last: the size is not known yet, so this is the only way the tail can go
   * out in the first round trip. Reads inside it are answered from it. 0 (the default): no such request. Not sent
   * cross-origin from a page, where a suffix range is not CORS-safelisted: its preflight would cost the round trip
   * it saves (pass `size` from a listing instead: the tail then goes out with the first bytes anyway).
   */
  tailLength?: number;
  /** Known object size (from a listing), which saves nothing but a check. */
  size?: number;
  /** Identity for caches; defaults to the URL without query and fragment, so re-signed URLs keep it. Required with a UrlProvider. */
  id?: string;
  fetch?: typeof fetch;
  /** Retries of transient failures (5xx, 429, cut, stalled or truncated answers) with jittered back-off. */
  retry?: RetryOptions;
  /** A try that has not delivered its whole answer within this many ms is abandoned and retried (default 30,000). */
  timeoutMs?: number;
}

export interface HttpSourceStats {
  /** Tries repeated after a transient failure. */
  retries: number;
  /** Presigned URLs renewed after the server refused one. */
  renewals: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** fetch bound once, so `this.#fetch === DEFAULT_FETCH` tells whether a test or host replaced it. */
const DEFAULT_FETCH: typeof fetch = (input, init) => globalThis.fetch(input, init);

/** An error answer's body is read for its S3 error code, up to this much. */
const MAX_ERROR_BODY = 8 * 1024;

/**
 * Any HTTP(S) server or presigned URL that answers Range requests. It remembers the object's size and
 * ETag from the first answer and reports an object that changes under it instead of mixing two versions.
 * Given a UrlProvider instead of a URL (presigned URLs that expire), it asks for a fresh URL when the
 * current one is about to expire, and once more when the server refuses one with 401/403.
 */
export class HttpSource implements RangeSource {
  readonly id: string;
  readonly stats: HttpSourceStats = { retries: 0, renewals: 0 };
  #url: string | UrlProvider;
  readonly #headers: Record<string, string>;
  readonly #probeLength: number;
  readonly #tailLength: number;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryOptions;
  readonly #timeoutMs: number;
  #size?: number;
  #etag?: string;
  /** The probe's bytes: the header and, for small files, all of them. */
  #head?: Uint8Array;
  #probing?: Promise<number>;
  /** The suffix request's answer (undefined once it failed or was refused: reads then ask for those bytes). */
  #tail?: Promise<{ start: number; bytes: Uint8Array } | undefined>;

  constructor(url: string | UrlProvider, options: HttpSourceOptions = {}) {
    this.#url = url;
    if (typeof url !== 'string' && options.id === undefined)
      throw new SlideError('invalid_argument', 'An HttpSource over a UrlProvider needs an `id` (for example s3://bucket/key).');
    this.id = options.id ?? urlIdentity(url as string);
    this.#headers = options.headers ?? {};
    this.#probeLength = options.probeLength ?? HEAD_READ_AHEAD;
    this.#tailLength = options.tailLength ?? 0;
    this.#fetch = options.fetch ?? DEFAULT_FETCH;
    this.#retry = options.retry ?? {};
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (options.size !== undefined) this.#size = options.size;
  }

  /** The ETag of the object being read, once a response carried one (needs `Access-Control-Expose-Headers: ETag` cross-origin). */
  get etag(): string | undefined {
    return this.#etag;
  }

  /** The source's version for the caches above it: the ETag. */
  get version(): string | undefined {
    return this.#etag;
  }

  async size(opts: ReadOptions = {}): Promise<number> {
    if (this.#size !== undefined) return this.#size;
    if (this.#tailLength > 0) this.#tail ??= this.#fetchTail(opts);
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

  /**
   * The suffix request. Only an optimisation: any failure (a server without suffix ranges answers 200, whose body is
   * dropped unread, or 416) leaves it out, and the reads that need those bytes ask for them and report what fails.
   */
  async #fetchTail(opts: ReadOptions): Promise<{ start: number; bytes: Uint8Array } | undefined> {
    try {
      const url = typeof this.#url === 'string' ? this.#url : await this.#url.get(opts.signal);
      if (suffixPreflighted(url, this.#headers)) return undefined;
      return await this.#fetchRange(SUFFIX, this.#tailLength, opts, true);
    } catch {
      return undefined;
    }
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    checkRange(this.id, offset, length);
    const size = await this.size(opts);
    if (offset + length > size) throw outOfBounds(this.id, offset, length, size);
    if (length === 0) return new Uint8Array(0);
    const held = this.#tail;
    if (held && offset + length > size - this.#tailLength) {
      const tail = await abandonOnAbort(held, opts.signal, this.id);
      // The first read to the end of the file is the metadata cache's tail read, issued before any other there: from
      // then on the cache holds those bytes, and this source keeps only what lies before that read (a block's worth
      // at most) instead of its whole copy (0.5 MB a slide).
      if (tail && offset + length === size && this.#tail === held) {
        this.#tail = offset > tail.start ? Promise.resolve({ start: tail.start, bytes: tail.bytes.slice(0, offset - tail.start) }) : undefined;
      }
      if (tail) return readAround(tail, offset, length, (o, l) => this.#readPastHead(o, l, opts));
    }
    return this.#readPastHead(offset, length, opts);
  }

  /** A read that starts in the probe's bytes (the whole of a small file, read with its header) asks only for the rest. */
  #readPastHead(offset: number, length: number, opts: ReadOptions): Promise<Uint8Array> {
    const fetch = async (o: number, l: number) => (await this.#fetchRange(o, l, opts, false)).bytes;
    return this.#head ? readAround({ start: 0, bytes: this.#head }, offset, length, fetch) : fetch(offset, length);
  }

  /**
   * One GET with `Range` (with `short` the server may answer fewer bytes: the probe of a small file), tried again
   * after transient failures with jittered back-off. A refused presigned URL is renewed once per read.
   */
  async #fetchRange(offset: number, length: number, opts: ReadOptions, short: boolean): Promise<{ start: number; bytes: Uint8Array; total: number }> {
    const attempts = Math.max(1, this.#retry.attempts ?? 4);
    const state = { renewed: false };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#try(offset, length, opts, short, state);
      } catch (e) {
        if (!isTransient(e) || attempt >= attempts || opts.signal?.aborted) throw e;
        this.stats.retries++;
        await sleep(backoffDelay(attempt - 1, this.#retry), opts.signal, this.id);
      }
    }
  }

  async #try(
    offset: number,
    length: number,
    opts: ReadOptions,
    short: boolean,
    state: { renewed: boolean },
  ): Promise<{ start: number; bytes: Uint8Array; total: number }> {
    const provider = typeof this.#url === 'string' ? undefined : this.#url;
    // One signal for the whole try, body included: a connection that stalls mid-answer is abandoned too.
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const stalled = () => timeout.aborted && !opts.signal?.aborted;
    const stallError = () => new SlideError('network', `${this.id} did not answer within ${this.#timeoutMs} ms; the connection stalled.`, { source: this.id });
    for (;;) {
      const url = provider ? await provider.get(opts.signal) : (this.#url as string);
      let response: Response;
      try {
        response = await this.#send(url, offset, length, signal);
      } catch (e) {
        throw stalled() ? stallError() : e;
      }
      // A presigned URL can be refused before its stated expiry (clock skew, revoked credentials): renew once.
      if (provider && !state.renewed && (response.status === 401 || response.status === 403)) {
        await response.body?.cancel().catch(() => undefined);
        provider.invalidate();
        state.renewed = true;
        this.stats.renewals++;
        continue;
      }
      try {
        return await this.#readBody(response, offset, length, short, signal);
      } catch (e) {
        if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
        if (stalled()) throw stallError();
        if (opts.signal?.aborted && !SlideError.is(e)) throw abortError(opts.signal, this.id);
        // A body cut off mid-stream surfaces as a TypeError from the stream: the connection failed.
        if (!SlideError.is(e))
          throw new SlideError('network', `The answer from ${this.id} was cut off: ${e instanceof Error ? e.message : String(e)}.`, {
            cause: e,
            source: this.id,
          });
        throw e;
      }
    }
  }

  async #send(url: string, offset: number, length: number, signal: AbortSignal): Promise<Response> {
    throwIfAborted(signal, this.id);
    // Past the browser's HTTP cache: it stitches partial answers of one URL together, and an object replaced
    // under it must show up here as a new ETag, never as a tile of old and new bytes. Our own caches key by ETag.
    const init: RequestInit = { headers: { ...this.#headers, Range: rangeHeader(offset, length) }, signal, cache: 'no-store' };
    try {
      const early = this.#earlyRead(url, offset, length);
      if (early) return await abandonOnAbort(early, signal, this.id);
      return await this.#fetch(url, init);
    } catch (cause) {
      if (signal.aborted) throw abortError(signal, this.id);
      throw await this.#networkError(url, cause);
    }
  }

  /**
   * The answer to this request if a page sent the same one before the viewer's code loaded (`sendEarlyProbe`: the probe,
   * the tail), taken over as it is; its failures then go the way of this source's own. Only for a plain URL read with the
   * default fetch.
   */
  #earlyRead(url: string, offset: number, length: number): Promise<Response> | undefined {
    const plain = this.#fetch === DEFAULT_FETCH && Object.keys(this.#headers).length === 0;
    return plain ? takeEarlyRead(url, offset, length) : undefined;
  }

  /**
   * A fetch that fails without an answer is a network failure or, in a browser, a CORS refusal: the two look
   * the same. One-byte probes tell them apart: if a CORS request gets through, CORS is fine and the failure was
   * the network's (retried); if only an opaque no-cors request does, the server is up and CORS is missing. A CORS
   * refusal repeats, a network failure need not, so the CORS request is asked again before the verdict: a
   * connection reset that met the first probe had made a flaky network look like a missing rule, and failed the
   * tile for good.
   */
  async #networkError(url: string, cause: unknown): Promise<SlideError> {
    const inBrowser = typeof location !== 'undefined' && typeof location.origin === 'string';
    if (inBrowser && this.#fetch === DEFAULT_FETCH) {
      // Each probe is aborted as soon as its answer's headers are in. A no-cors request goes without its Range (the
      // browser drops the header) and its opaque body cannot be cancelled: left alone until a timeout, it downloaded
      // the object (70 MB of a 193 MB slide in 5 s here).
      const probe = async (mode: RequestMode) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 5_000);
        try {
          const r = await fetch(url, { mode, headers: { Range: 'bytes=0-0' }, signal: controller.signal });
          return r.type === 'opaque' || r.ok;
        } catch {
          return false;
        } finally {
          clearTimeout(timer);
          controller.abort();
        }
      };
      if (!(await probe('cors')) && (await probe('no-cors')) && !(await probe('cors'))) {
        return new SlideError(
          'cors_blocked',
          `${this.id} is reachable but does not allow this page (${location.origin}) to read it: the server has no CORS rule for this origin. ${corsAdvice(location.origin)}`,
          { cause, source: this.id },
        );
      }
    }
    return new SlideError(
      'network',
      `Could not reach ${this.id}: the network failed, or the server does not allow this page's origin (CORS). ${corsAdvice(inBrowser ? location.origin : undefined)}`,
      { cause, source: this.id },
    );
  }

  async #readBody(
    response: Response,
    asked: number,
    length: number,
    short: boolean,
    signal: AbortSignal,
  ): Promise<{ start: number; bytes: Uint8Array; total: number }> {
    const range = parseContentRange(response.headers.get('content-range'));
    // A suffix range's start is the server's to say: the last `length` bytes, or all of a shorter object.
    const offset = asked === SUFFIX && range.total !== undefined ? Math.max(0, range.total - length) : asked;
    if (response.status === 416) {
      if (range.total !== undefined) this.#size = range.total;
      throw outOfBounds(this.id, offset, length, range.total ?? NaN);
    }
    if (response.status !== 206 && response.status !== 200) {
      const body = await readErrorBody(response);
      throw s3Error(this.id, response.status, body) ?? httpError(this.id, response.status);
    }
    this.#checkEtag(response.headers.get('etag'));

    let total: number;
    if (asked === SUFFIX && response.status !== 206) {
      throw new SlideError('range_unsupported', `${this.id} answered a suffix range with ${response.status}.`, { source: this.id });
    }
    if (response.status === 206) {
      if (range.start !== offset || range.end === undefined) {
        throw new SlideError(
          'range_unsupported',
          `${this.id} answered bytes ${range.start ?? '?'}-${range.end ?? '?'} when ${offset}-${offset + length - 1} were asked: the server's Range support is broken.`,
          { source: this.id },
        );
      }
      if (range.total === undefined) {
        throw new SlideError(
          'range_unsupported',
          `${this.id} sent a partial answer without the object's total size (Content-Range: bytes a-b/*); it cannot be read safely.`,
          { source: this.id },
        );
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
      throw new SlideError('object_changed', `${this.id} changed size from ${this.#size} to ${total} bytes while it was being read. Reopen the slide.`, {
        source: this.id,
      });
    }
    this.#size = total;

    // Bound to the try's signal here too: an early probe's answer (sendEarlyProbe) was fetched without it.
    const bytes = new Uint8Array(await abandonOnAbort(response.arrayBuffer(), signal, this.id));
    throwIfAborted(signal, this.id);
    const expected = Math.min(length, total - offset);
    if (bytes.length !== expected || (!short && expected !== length)) {
      throw new SlideError(
        'truncated',
        `${this.id} sent ${bytes.length} bytes at offset ${offset} when ${expected} were due: the connection was cut or a proxy altered the answer. Try again.`,
        { source: this.id },
      );
    }
    return { start: offset, bytes, total };
  }

  #checkEtag(etag: string | null): void {
    if (etag === null) return;
    if (this.#etag === undefined) this.#etag = etag;
    else if (this.#etag !== etag) {
      throw new SlideError(
        'object_changed',
        `${this.id} was replaced while it was being read (ETag ${this.#etag} became ${etag}). Reopen the slide to see the new version.`,
        { source: this.id },
      );
    }
  }
}

/**
 * A read answered from bytes held in memory as far as they reach, asking `fetch` only for the parts outside them (one
 * side or both); a copy either way, so a caller that transfers the buffer cannot detach the held bytes.
 */
async function readAround(
  held: { start: number; bytes: Uint8Array },
  offset: number,
  length: number,
  fetch: (offset: number, length: number) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const from = Math.max(offset, held.start);
  const to = Math.min(offset + length, held.start + held.bytes.length);
  if (from >= to) return fetch(offset, length);
  const inside = held.bytes.subarray(from - held.start, to - held.start);
  if (from === offset && to === offset + length) return inside.slice();
  const [before, after] = await Promise.all([
    from > offset ? fetch(offset, from - offset) : undefined,
    to < offset + length ? fetch(to, offset + length - to) : undefined,
  ]);
  return concatBytes([before, inside, after].filter((part) => part !== undefined));
}

/** The start of an error answer's body (S3 explains itself in XML there). */
async function readErrorBody(response: Response): Promise<string> {
  try {
    const reader = response.body?.getReader();
    if (!reader) return '';
    let text = '';
    const decoder = new TextDecoder();
    while (text.length < MAX_ERROR_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel().catch(() => undefined);
    return text;
  } catch {
    return '';
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
