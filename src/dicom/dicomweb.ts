import { abortError, SlideError } from '../errors.js';
import type { SlideIoSnapshot } from '../slide/types.js';
import type { PersistentCacheOptions } from '../source/persistent-cache.js';
import type { ReadOptions } from '../source/range-source.js';
import { jsonAttributes } from './attributes.js';
import { DicomSlide } from './dicom-slide.js';
import { FrameBatcher } from './frame-batcher.js';
import { DicomWebCache } from './dicomweb-cache.js';
import { multipartParts } from './multipart.js';
import type { InstanceReader } from './instance-reader.js';
import { wsiInstance } from './wsi-instance.js';

/** How the library reaches a DICOMweb server: auth hooks and, for tests or proxies, the fetch to use. */
export interface DicomWebOptions {
  /** Headers for every request (a bearer token, asked for anew each time so it can be refreshed). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Browser cookie policy (`include` sends the server's session cookie cross-origin). */
  credentials?: RequestCredentials;
  fetch?: typeof fetch;
}

/** What `openSlide` passes on for a `dicomweb:` name: the auth hooks, and whether frames persist in IndexedDB. */
export interface DicomWebOpenOptions extends DicomWebOptions {
  persistentCache?: PersistentCacheOptions | boolean | undefined;
}

/** A `dicomweb:` slide name: the service root and the series' study and series UIDs. */
export interface DicomWebSeries {
  root: string;
  study: string;
  series: string;
}

/** Parses `dicomweb:<service root>/studies/<StudyInstanceUID>/series/<SeriesInstanceUID>`, or undefined for other names. */
export function parseDicomWebUrl(name: string): DicomWebSeries | undefined {
  const m = /^dicomweb:(https?:\/\/.+?)\/studies\/([\d.]+)\/series\/([\d.]+)\/?$/i.exec(name);
  return m ? { root: m[1]!, study: m[2]!, series: m[3]! } : undefined;
}

/** Request counters of the whole series: its slide's `ioStats()`. */
interface Counters {
  requests: number;
  bytes: number;
}

function failure(url: string, status: number): SlideError {
  if (status === 401 || status === 403) {
    return new SlideError(
      'access_denied',
      `${url}: the DICOMweb server refused access (HTTP ${status}). Pass a token: the dicomweb headers hook in the library, --dicomweb-token or WSI_DICOMWEB_TOKEN in the CLI.`,
      {
        source: url,
      },
    );
  }
  if (status === 404)
    return new SlideError('not_found', `${url}: the DICOMweb server has no such study, series, instance or frame (HTTP 404).`, { source: url });
  return new SlideError(`http_${status}`, `${url}: the DICOMweb server answered HTTP ${status}.`, { source: url });
}

/** A GET to a DICOMweb server with the caller's auth, counted; failures as SlideErrors that say what to do. */
export async function dicomWebRequest(url: string, accept: string, options: DicomWebOptions, opts: ReadOptions = {}, counters?: Counters): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { Accept: accept, ...(await options.headers?.()) },
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (cause) {
    if (opts.signal?.aborted) throw abortError(opts.signal, url);
    throw new SlideError('network', `${url}: the DICOMweb server could not be reached (${cause instanceof Error ? cause.message : String(cause)}).`, {
      source: url,
      cause,
    });
  }
  if (counters) counters.requests++;
  if (!response.ok) throw failure(url, response.status);
  return response;
}

/** Frames as stored, whatever their syntax: the server names it in the answer. */
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

/**
 * A DICOMweb series as a slide: its metadata in one request (WADO-RS, `…/series/{uid}/metadata`), then frames on
 * demand, those of one instance wanted together in one request (`…/instances/{uid}/frames/{n,m,…}`, multipart/related,
 * asked for in their stored transfer syntax), through the same slide model, viewer and codecs as files.
 */
export async function openDicomWebSeries(name: string, options: DicomWebOpenOptions = {}, opts: ReadOptions = {}): Promise<DicomSlide> {
  const where = parseDicomWebUrl(name);
  if (!where) {
    throw new SlideError(
      'invalid_argument',
      `${name} is not a DICOMweb series: write dicomweb:<service root>/studies/<StudyInstanceUID>/series/<SeriesInstanceUID>.`,
    );
  }
  const seriesUrl = `${where.root}/studies/${where.study}/series/${where.series}`;
  const counters: Counters = { requests: 0, bytes: 0 };
  const metadata = await dicomWebRequest(`${seriesUrl}/metadata`, 'application/dicom+json', options, opts, counters);
  const text = await metadata.text();
  counters.bytes += text.length;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SlideError('corrupt', `${seriesUrl}/metadata is not DICOM JSON (${String(cause)}).`, { source: seriesUrl, cause });
  }
  if (!Array.isArray(json) || json.length === 0) throw new SlideError('not_found', `${seriesUrl}: the series has no instances.`, { source: seriesUrl });
  const cache = options.persistentCache ? new DicomWebCache(options.persistentCache === true ? {} : options.persistentCache) : undefined;
  const snapshot = (): SlideIoSnapshot => ({
    requests: counters.requests,
    bytes: counters.bytes,
    metadataCacheHits: 0,
    metadataCacheMisses: 0,
    metadataCacheBytes: 0,
    coalescedReads: 0,
    persistentCacheHits: cache?.stats.hits ?? 0,
    persistentCacheMisses: cache?.stats.misses ?? 0,
  });
  const readers = json.map((item): InstanceReader => {
    const attributes = jsonAttributes(item as Parameters<typeof jsonAttributes>[0]);
    const uid = attributes.string('x00080018') ?? '';
    const id = `${seriesUrl}/instances/${uid}`;
    const instance = wsiInstance(attributes, id);
    const fetchParts = async (url: string, accept: string, o: ReadOptions) => {
      const response = await dicomWebRequest(url, accept, options, o, counters);
      const body = new Uint8Array(await response.arrayBuffer());
      counters.bytes += body.length;
      return multipartParts(body, response.headers.get('content-type') ?? '', url);
    };
    const batcher = new FrameBatcher((frames, signal) => fetchParts(`${id}/frames/${frames.map((f) => f + 1).join(',')}`, FRAME_ACCEPT, { signal }), id);
    return {
      instance,
      id,
      readFrame: (frame, o) => {
        const read = () => batcher.read(frame, o);
        return cache && uid ? cache.frame(uid, frame, read) : read();
      },
      readBulk: async (bulk, o) => {
        if (!('uri' in bulk)) throw new SlideError('corrupt', `${id}: bulk data without a URI in DICOM JSON.`, { source: id });
        const read = async () => (await fetchParts(bulk.uri, 'multipart/related; type="application/octet-stream"', o))[0]!.bytes;
        return cache && uid ? cache.bulk(uid, bulk.uri, read) : read();
      },
      close: async () => cache?.flush(),
    };
  });
  return DicomSlide.fromInstances(readers, snapshot, `dicomweb:${seriesUrl}`);
}
