import { DEFAULT_CACHE_DB, mayBeCached } from './cache-hint.js';
import { HEAD_READ_AHEAD } from './round-trip-bytes.js';
import { parseContentRange, rangeHeader, SUFFIX, suffixPreflighted } from './range-header.js';
import { tailRequest, tailRequestLength } from '../tiff/tail-read.js';
import { urlIdentity } from './url-identity.js';

/** A request sent early, for the open to take over: its range (`offset` SUFFIX for `bytes=-length`) and its answer. */
interface EarlyRead {
  offset: number;
  length: number;
  answer: Promise<Response>;
}

/**
 * The requests sent early, by URL. Kept on the global object under a registered symbol: the early script and the
 * viewer's bundle may be two copies of this module. (Named anew when its entries changed shape: an early script and a
 * viewer of two versions ignore each other's requests rather than misread them.)
 */
const REGISTRY = Symbol.for('wsi-stream.early-reads');

type Registry = Map<string, EarlyRead[]>;

function registry(): Registry {
  const global = globalThis as { [REGISTRY]?: Registry };
  global[REGISTRY] ??= new Map();
  return global[REGISTRY];
}

export interface EarlyProbeOptions {
  /** The persistent cache's database, if the viewer is given another (`open.persistentCache.dbName`). */
  dbName?: string;
}

/**
 * Sends now the first requests the viewer's open makes of `url`, for the open to take over: its first bytes (which
 * hold a TIFF's header and tell the object's size) and its end (where writers put the small levels' directories and
 * tiles). Call it from a small script that runs while the viewer's code still loads: a cold page then has both ends of
 * the slide when the viewer starts, instead of one and two round trips after. The end goes out with the first bytes as
 * a suffix range where that costs no preflight (Node, a same-origin page), else, cross-origin, as soon as the first
 * answer tells the size — unless the open has taken that answer over by then, and sends it itself. Not sent for a slide
 * the persistent cache may hold (that open reads IndexedDB, not the network), nor twice for one URL. Each request is
 * the one the viewer would send (a CORS-safelisted `Range`, no other header), so none costs a preflight.
 */
export function sendEarlyProbe(url: string, options: EarlyProbeOptions = {}): void {
  if (typeof fetch !== 'function' || registry().has(url)) return;
  let id: string;
  try {
    id = urlIdentity(url);
  } catch {
    // Not a URL: the viewer reports that when it opens it.
    return;
  }
  // s3://, dicomweb: and the like are opened through requests of another URL.
  if (!/^https?:/i.test(id) || mayBeCached(options.dbName ?? DEFAULT_CACHE_DB, id)) return;
  const reads: EarlyRead[] = [];
  registry().set(url, reads);
  const send = (offset: number, length: number): Promise<Response> => {
    const answer = fetch(url, { headers: { Range: rangeHeader(offset, length) }, cache: 'no-store' });
    // Its failure is the open's to report: the open asks again in its own way.
    answer.catch(() => undefined);
    reads.push({ offset, length, answer });
    return answer;
  };
  const probe = send(0, HEAD_READ_AHEAD);
  const tailLength = tailRequestLength(id);
  if (tailLength === 0) return;
  if (!suffixPreflighted(url)) {
    send(SUFFIX, tailLength);
    return;
  }
  probe.then(
    (response) => {
      // The object's size, from a ranged answer only (a server that ignores ranges sends the whole object).
      const size = response.status === 206 ? parseContentRange(response.headers.get('Content-Range')).total : undefined;
      // Taken over already: the open sends its own tail read.
      if (size === undefined || !reads.some((read) => read.answer === probe)) return;
      const tail = tailRequest(size);
      // A small file's tail overlaps the first bytes, and the open reads it another way.
      if (tail.offset >= HEAD_READ_AHEAD) send(tail.offset, tail.length);
    },
    () => undefined,
  );
}

/** The early answer to this request of `url` (offset SUFFIX for a suffix range), handed over once; undefined if none was sent. */
export function takeEarlyRead(url: string, offset: number, length: number): Promise<Response> | undefined {
  const reads = registry().get(url);
  const i = reads?.findIndex((read) => read.offset === offset && read.length === length) ?? -1;
  if (!reads || i < 0) return undefined;
  const [read] = reads.splice(i, 1);
  // All taken: the URL may be sent early again (a page that opens it anew).
  if (reads.length === 0) registry().delete(url);
  return read!.answer;
}
