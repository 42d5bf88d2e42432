import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HttpSource, openSlide } from '../src/index.js';
import { NodeFileSource } from '../src/source/node-file-source.js';
import type { RangeSource } from '../src/source/range-source.js';
import { HEAD_READ_AHEAD } from '../src/source/round-trip-bytes.js';
import { tailRequestLength } from '../src/tiff/tail-read.js';
import { bigSlide } from './support/big-slide.js';
import { catalogue } from './support/fixtures.js';
import { RangeServer } from './support/range-server.js';
import { RoundTripSource } from './support/round-trip-source.js';

/**
 * A fetch answering Range requests (suffix ranges too, as RFC 9110 and S3 do) from a source below: over a
 * RoundTripSource it answers in rounds, so an HttpSource's round trips can be counted as a network would cost them.
 */
function rangeFetch(source: RangeSource, options: { suffix?: 'answer' | 'ignore' | 'refuse' } = {}): { fetch: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const range = new Headers(init?.headers).get('range') ?? '';
    asked.push(range);
    const size = await source.size();
    const suffix = /^bytes=-(\d+)$/.exec(range);
    if (suffix && options.suffix === 'refuse') return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
    if (suffix && options.suffix === 'ignore') {
      // A server without suffix ranges sends the whole object: a body that must be dropped unread.
      const body = new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(64 * 1024)) });
      return new Response(body, { status: 200, headers: { 'Content-Length': String(size), ETag: '"v1"' } });
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(range)!;
    const start = suffix ? Math.max(0, size - Number(suffix[1])) : Number(m[1]);
    const end = suffix ? size - 1 : Math.min(Number(m[2]), size - 1);
    const bytes = await source.read(start, end - start + 1);
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 206, headers: { 'Content-Range': `bytes ${start}-${end}/${size}`, ETag: '"v1"' } });
  };
  return { fetch, asked };
}

const FILE = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251);
const memory = (): RangeSource => ({ id: 'memory', size: async () => FILE.length, read: async (o, l) => FILE.slice(o, o + l) });

describe('HttpSource: the tail asked for beside the probe (a suffix range)', () => {
  it('goes out with the probe, answers reads inside it with no request (a read across its start asks only for the rest) until one takes it to the end', async () => {
    const net = rangeFetch(memory());
    const source = new HttpSource('https://slides.test/a.tif', { fetch: net.fetch, tailLength: 20_000 });
    expect(await source.size()).toBe(FILE.length);
    expect(net.asked.sort()).toEqual(['bytes=-20000', `bytes=0-${HEAD_READ_AHEAD - 1}`]);
    expect(await source.read(90_000, 5_000)).toEqual(FILE.slice(90_000, 95_000));
    expect(await source.read(70_000, 15_000)).toEqual(FILE.slice(70_000, 85_000));
    expect(net.asked.at(-1)).toBe('bytes=70000-79999');
    // A read to the end of the file (the metadata cache's tail read, which holds those bytes from then on) leaves
    // it only what lies before that read.
    expect(await source.read(81_920, 18_080)).toEqual(FILE.slice(81_920));
    expect(net.asked.length).toBe(3);
    expect(await source.read(80_500, 1_000)).toEqual(FILE.slice(80_500, 81_500));
    expect(net.asked.length).toBe(3);
    expect(await source.read(95_000, 1_000)).toEqual(FILE.slice(95_000, 96_000));
    expect(net.asked.at(-1)).toBe('bytes=95000-95999');
  });

  for (const [name, suffix] of [
    ['ignores suffix ranges (answers 200 with the whole object)', 'ignore'],
    ['refuses them (416)', 'refuse'],
  ] as const) {
    it(`a server that ${name}: the tail is left out, and reads ask for their bytes`, async () => {
      const net = rangeFetch(memory(), { suffix });
      const source = new HttpSource('https://slides.test/a.tif', { fetch: net.fetch, tailLength: 20_000 });
      expect(await source.read(90_000, 5_000)).toEqual(FILE.slice(90_000, 95_000));
      expect(net.asked.at(-1)).toBe('bytes=90000-94999');
    });
  }

  it('a page asks for it same-origin only: cross-origin a suffix range is not CORS-safelisted, and its preflight would cost the round trip', async () => {
    const page = { origin: 'https://app.test', href: 'https://app.test/viewer/' };
    (globalThis as { location?: unknown }).location = page;
    try {
      for (const [url, expected] of [
        ['https://slides.test/a.tif', [`bytes=0-${HEAD_READ_AHEAD - 1}`]],
        ['https://app.test/slides/a.tif', ['bytes=-20000', `bytes=0-${HEAD_READ_AHEAD - 1}`]],
      ] as const) {
        const net = rangeFetch(memory());
        const source = new HttpSource(url, { fetch: net.fetch, tailLength: 20_000 });
        await source.read(90_000, 10);
        expect(net.asked.slice(0, expected.length).sort(), url).toEqual(expected);
      }
    } finally {
      delete (globalThis as { location?: unknown }).location;
    }
  });

  it('none is asked for a .dcm file (DICOM keeps nothing it needs at its end), nor by default', async () => {
    expect(tailRequestLength('https://bucket.test/series/level-0.dcm?X-Amz-Signature=1')).toBe(0);
    const net = rangeFetch(memory());
    await new HttpSource('https://slides.test/a.tif', { fetch: net.fetch }).size();
    expect(net.asked).toEqual([`bytes=0-${HEAD_READ_AHEAD - 1}`]);
  });
});

describe('opening over HTTP, counted in round trips', () => {
  const cases = [
    { name: 'test3-TRITC-2-560.ndpi', rounds: 2, path: () => catalogue.find((f) => f.name === 'test3-TRITC-2-560.ndpi')!.path },
    { name: 'CMU-1-Small-Region.svs', rounds: 2, path: () => catalogue.find((f) => f.name === 'CMU-1-Small-Region.svs')!.path },
    { name: 'make-big-slide N=11', rounds: 2, path: () => bigSlide(11).path },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.rounds} round trips (the probe and the tail in the first)`, async () => {
      const below = new RoundTripSource(new NodeFileSource(c.path()));
      const net = rangeFetch(below);
      const slide = await openSlide(`https://slides.test/${c.name.replaceAll(' ', '_')}.tif`, { http: { fetch: net.fetch } });
      expect(below.rounds).toBe(c.rounds);
      expect(below.log[0]!.length).toBe(2);
      await slide.close();
      await below.close();
    });
  }

  it('a file smaller than the tail is read in one round trip', async () => {
    const file = catalogue.find((f) => f.name === 'boxes.tiff')!;
    const below = new RoundTripSource(new NodeFileSource(file.path));
    const slide = await openSlide('https://slides.test/boxes.tiff', { http: { fetch: rangeFetch(below).fetch } });
    expect(below.rounds).toBe(1);
    expect(readFileSync(file.path).length).toBeLessThan(tailRequestLength('boxes.tiff'));
    await slide.close();
    await below.close();
  });
});

describe('the sidecar and test servers answer suffix ranges (answerRange)', () => {
  it('bytes=-N is the last N bytes (all of a shorter file); bytes=-0 is 416', async () => {
    const file = catalogue.find((f) => f.name === 'yb10kx5k.zstd.tiff')!;
    const bytes = new Uint8Array(readFileSync(file.path));
    const server = new RangeServer({ root: file.path.slice(0, file.path.lastIndexOf('/')) });
    const url = `${await server.start()}/${file.path.split('/').pop()}`;
    try {
      const last = await fetch(url, { headers: { Range: 'bytes=-1000' } });
      expect(last.status).toBe(206);
      expect(last.headers.get('content-range')).toBe(`bytes ${bytes.length - 1000}-${bytes.length - 1}/${bytes.length}`);
      expect(new Uint8Array(await last.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 1000));
      const all = await fetch(url, { headers: { Range: `bytes=-${bytes.length * 2}` } });
      expect(all.status).toBe(206);
      expect(new Uint8Array(await all.arrayBuffer())).toEqual(bytes);
      const none = await fetch(url, { headers: { Range: 'bytes=-0' } });
      await none.body?.cancel();
      expect(none.status).toBe(416);
    } finally {
      await server.stop();
    }
  });
});
