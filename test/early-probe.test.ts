import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpSource, openSlide, sendEarlyProbe } from '../src/node.js';
import { HEAD_READ_AHEAD } from '../src/source/round-trip-bytes.js';
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

describe('sendEarlyProbe', () => {
  it('the open takes its answer over: the first bytes are asked for once, and the open makes no other request than it would', async () => {
    const plain = server.log.length;
    await (await openSlide(freshUrl())).close();
    const without = requests(plain);

    const before = server.log.length;
    const url = freshUrl();
    sendEarlyProbe(url);
    sendEarlyProbe(url);
    const slide = await openSlide(url);
    expect(slide.width).toBe(2220);
    await slide.close();
    const withEarly = requests(before);
    expect(withEarly.filter((r) => r.range === PROBE)).toHaveLength(1);
    expect(withEarly.map((r) => r.range).sort()).toEqual(without.map((r) => r.range).sort());
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
