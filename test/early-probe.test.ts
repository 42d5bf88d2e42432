import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpSource, openSlide, sendEarlyProbe } from '../src/node.js';
import { HEAD_READ_AHEAD } from '../src/source/round-trip-bytes.js';
import { tailRequest, tailRequestLength } from '../src/tiff/tail-read.js';
import { FIXTURES } from './support/fixtures.js';
import { RangeServer } from './support/range-server.js';

/** The slide's first request sent by a small script before the viewer loads (`sendEarlyProbe`), taken over by the open. */
const FILE = 'CMU-1-Small-Region.svs';
const PROBE = `bytes=0-${HEAD_READ_AHEAD - 1}`;
let server: RangeServer;
let base: string;
beforeAll(async () => {
  server = new RangeServer({ root: `${FIXTURES}/real` });
  base = await server.start();
});
afterAll(() => server.stop());
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A URL of the fixture no other test has probed (the registry keeps one early probe per URL). */
let n = 0;
const freshUrl = () => `${base}/${FILE}?case=${++n}`;
const requests = (since: number) => server.log.slice(since).filter((r) => r.path === `/${FILE}`);
const SIZE = 1938955;
const SUFFIX_TAIL = `bytes=-${tailRequestLength(FILE)}`;
const TAIL = `bytes=${tailRequest(SIZE).offset}-${SIZE - 1}`;

/** Waits until the server has been asked for `range` since `since` (the early script's requests go out on their own). */
async function asked(since: number, range: string): Promise<void> {
  for (let waited = 0; !requests(since).some((r) => r.range === range); waited += 10) {
    if (waited > 5_000) throw new Error(`${range} was never asked for`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The ranges a plain open of the fixture asks for (no early script), under whatever origin the test stubs. */
async function plainOpenRanges(): Promise<Array<string | undefined>> {
  const since = server.log.length;
  await (await openSlide(freshUrl())).close();
  return requests(since).map((r) => r.range);
}

/** Opens `url` and closes it; the ranges asked for since `since`, the early script's included. */
async function rangesOfOpen(url: string, since: number): Promise<Array<string | undefined>> {
  const slide = await openSlide(url);
  expect(slide.width).toBe(2220);
  await slide.close();
  return requests(since).map((r) => r.range);
}

/** A page on another origin than the slide's server, where a suffix range would cost a preflight. */
const crossOrigin = () => vi.stubGlobal('location', { origin: 'http://page.test', href: 'http://page.test/viewer.html' });

describe('sendEarlyProbe', () => {
  it('the open takes its answer over: the first bytes are asked for once, and the open makes no other request than it would', async () => {
    const without = await plainOpenRanges();
    const before = server.log.length;
    const url = freshUrl();
    sendEarlyProbe(url);
    sendEarlyProbe(url);
    const withEarly = await rangesOfOpen(url, before);
    expect(withEarly.filter((r) => r === PROBE)).toHaveLength(1);
    expect(withEarly.sort()).toEqual(without.sort());
  });

  it('sends the tail with the first bytes as a suffix range where that costs no preflight; the open takes both over', async () => {
    const without = await plainOpenRanges();
    expect(without).toContain(SUFFIX_TAIL);
    const before = server.log.length;
    const url = freshUrl();
    sendEarlyProbe(url);
    await asked(before, SUFFIX_TAIL);
    const withEarly = await rangesOfOpen(url, before);
    expect(withEarly.filter((r) => r === SUFFIX_TAIL)).toHaveLength(1);
    expect(withEarly.sort()).toEqual(without.sort());
  });

  it('cross-origin: the tail goes out as soon as the first answer tells the size, and the open takes it over', async () => {
    crossOrigin();
    const without = await plainOpenRanges();
    // What a cross-origin open asks for itself: the tail with a start, no suffix range.
    expect(without).toContain(TAIL);
    expect(without.some((r) => r?.startsWith('bytes=-'))).toBe(false);

    const before = server.log.length;
    const url = freshUrl();
    sendEarlyProbe(url);
    await asked(before, TAIL);
    expect(requests(before).map((r) => r.range)).toEqual([PROBE, TAIL]);
    const withEarly = await rangesOfOpen(url, before);
    expect(withEarly.filter((r) => r === TAIL)).toHaveLength(1);
    expect(withEarly.sort()).toEqual(without.sort());
  });

  it('cross-origin: an open that takes the first request over before it answers sends the tail itself, once', async () => {
    crossOrigin();
    const before = server.log.length;
    const url = freshUrl();
    sendEarlyProbe(url);
    await rangesOfOpen(url, before);
    await new Promise((r) => setTimeout(r, 100));
    const ranges = requests(before).map((r) => r.range);
    expect(ranges.filter((r) => r === PROBE)).toHaveLength(1);
    expect(ranges.filter((r) => r === TAIL)).toHaveLength(1);
  });

  it('no early tail for a DICOM file (its reader never reads the ends ahead) or a file whose tail overlaps its first bytes', async () => {
    for (const stub of [() => undefined, crossOrigin]) {
      stub();
      const fetch = vi.spyOn(globalThis, 'fetch');
      const dicom = `${base}/instance.dcm?case=${++n}`;
      sendEarlyProbe(dicom);
      const small = `${base}/small.svs?case=${++n}`;
      sendEarlyProbe(small);
      // The answers, then the task in which a cross-origin tail would be sent.
      await Promise.allSettled(fetch.mock.results.map((result) => result.value));
      await new Promise((r) => setTimeout(r, 50));
      const urls = fetch.mock.calls.map(([input, init]) => `${String(input)} ${(init?.headers as Record<string, string> | undefined)?.Range}`);
      expect(urls.filter((u) => u.startsWith(dicom))).toEqual([`${dicom} ${PROBE}`]);
      // Node and same-origin pages send a small file's suffix with the probe (the open would); cross-origin, nothing more.
      const smallRanges = urls.filter((u) => u.startsWith(small)).map((u) => u.split(' ')[1]);
      expect(smallRanges).toEqual(stub === crossOrigin ? [PROBE] : [PROBE, SUFFIX_TAIL]);
      fetch.mockRestore();
      vi.unstubAllGlobals();
    }
  });

  it('sends nothing for what is opened through another URL (s3://, dicomweb:) or is not a URL', () => {
    const fetch = vi.fn(() => new Promise(() => undefined));
    vi.stubGlobal('fetch', fetch);
    for (const input of ['s3://bucket/slide.svs', 'dicomweb:https://pacs.example/dicom-web/studies/1/series/2', 'http://[bad']) sendEarlyProbe(input);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('sends nothing for a slide the persistent cache may hold: that open reads IndexedDB', async () => {
    const url = freshUrl();
    vi.stubGlobal('localStorage', { getItem: (key: string) => (key === `wsi-stream-cached|wsi-stream|${base}/${FILE}` ? '1' : null) });
    const before = server.log.length;
    sendEarlyProbe(url);
    await new Promise((r) => setTimeout(r, 100));
    expect(requests(before)).toHaveLength(0);
  });

  it('an early probe that failed leaves the open to ask again, as after its own failure', async () => {
    const url = freshUrl();
    const real = globalThis.fetch;
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    sendEarlyProbe(url);
    vi.stubGlobal('fetch', real);
    const source = new HttpSource(url, { retry: { baseDelayMs: 1 } });
    const before = server.log.length;
    const slide = await openSlide(source);
    expect(slide.width).toBe(2220);
    expect(source.stats.retries).toBe(1);
    expect(requests(before).filter((r) => r.range === PROBE)).toHaveLength(1);
    await slide.close();
  });

  it('an early probe that never answers is abandoned at the source’s timeout, and asked again', async () => {
    const url = freshUrl();
    const real = globalThis.fetch;
    vi.stubGlobal('fetch', () => new Promise(() => undefined));
    sendEarlyProbe(url);
    vi.stubGlobal('fetch', real);
    const source = new HttpSource(url, { timeoutMs: 200, retry: { baseDelayMs: 1 } });
    const slide = await openSlide(source);
    expect(slide.width).toBe(2220);
    expect(source.stats.retries).toBe(1);
    await slide.close();
  });

  it('a source with headers of its own (or its own fetch) sends its own probe: the early one is not the request it would make', async () => {
    const url = freshUrl();
    const before = server.log.length;
    sendEarlyProbe(url);
    const slide = await openSlide(new HttpSource(url, { headers: { 'X-Trace': '1' } }));
    await slide.close();
    expect(requests(before).filter((r) => r.range === PROBE)).toHaveLength(2);
  });
});
