import { DEFAULT_CACHE_DB, mayBeCached } from './cache-hint.js';
import { HEAD_READ_AHEAD } from './round-trip-bytes.js';
import { urlIdentity } from './url-identity.js';

/**
 * The answers to probes sent early, by URL. Kept on the global object under a registered symbol: the early script and
 * the viewer's bundle may be two copies of this module.
 */
const REGISTRY = Symbol.for('wsi-stream.early-probes');

type Registry = Map<string, Promise<Response>>;

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
 * Sends now the first request the viewer's open makes of `url` (its first bytes, which hold a TIFF's header and tell
 * the object's size), for the open to take over. Call it from a small script that runs while the viewer's code still
 * loads: a cold page then has the slide's header when the viewer starts, instead of a round trip after. Not sent for
 * a slide the persistent cache may hold (that open reads IndexedDB, not the network), nor twice for one URL. The
 * request is the one the viewer would send (a CORS-safelisted `Range`, no other header), so it costs no preflight.
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
  const answer = fetch(url, { headers: { Range: `bytes=0-${HEAD_READ_AHEAD - 1}` }, cache: 'no-store' });
  // Its failure is the open's to report: the open asks again in its own way.
  answer.catch(() => undefined);
  registry().set(url, answer);
}

/** The early answer to this request of `url`, handed over once; undefined if it is not the probe or none was sent. */
export function takeEarlyProbe(url: string, offset: number, length: number): Promise<Response> | undefined {
  if (offset !== 0 || length !== HEAD_READ_AHEAD) return undefined;
  const answer = registry().get(url);
  registry().delete(url);
  return answer;
}
