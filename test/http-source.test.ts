import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobSource, HttpSource, openSlide, SlideError } from '../src/index.js';
import { FIXTURES, fixturePath } from './support/fixtures.js';
import { RangeServer } from './support/range-server.js';

let server: RangeServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serve(options: Partial<ConstructorParameters<typeof RangeServer>[0]> = {}): Promise<string> {
  server = new RangeServer({ root: `${FIXTURES}/real`, ...options });
  return server.start();
}

/** A fetch that answers from a function, for answers no well-behaved server gives. */
function fakeFetch(answer: (range: string) => Response): typeof fetch {
  return async (_url, init) => answer(new Headers(init?.headers).get('range') ?? '');
}

describe('HttpSource against a real HTTP server', () => {
  it('learns the size and ETag from the first answer and reads exact ranges', async () => {
    const base = await serve();
    const file = readFileSync(fixturePath('CMU-1-Small-Region.svs'));
    const source = new HttpSource(`${base}/CMU-1-Small-Region.svs?X-Amz-Signature=abc`);
    expect(source.id).toBe(`${base}/CMU-1-Small-Region.svs`);
    expect(await source.size()).toBe(file.length);
    expect(source.etag).toBe('"v1"');
    expect(await source.read(1_000_000, 1000)).toEqual(new Uint8Array(file.subarray(1_000_000, 1_001_000)));
    // The probe's bytes serve later reads inside them.
    expect(await source.read(10, 100)).toEqual(new Uint8Array(file.subarray(10, 110)));
    expect(server!.log.length).toBe(2);
  });

  it('reads a file smaller than the probe in one request', async () => {
    const base = await serve();
    const source = new HttpSource(`${base}/small.svs`);
    expect(await source.size()).toBe(2651);
    expect((await source.read(2600, 51)).length).toBe(51);
    expect(server!.log.length).toBe(1);
  });

  it('reports a server that ignores Range instead of downloading the whole slide', async () => {
    const base = await serve({ ignoreRange: true });
    const error = await openSlide(`${base}/CMU-1-Small-Region.svs`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'range_unsupported' });
    expect((error as Error).message).toMatch(/supports Range/);
  });

  it('still reads a small file from a server that ignores Range (the whole file is what was asked)', async () => {
    const base = await serve({ ignoreRange: true });
    const slide = await openSlide(`${base}/small.svs`);
    expect(slide.width).toBe(16);
  });

  it('notices an object replaced mid-session (new ETag) and says so', async () => {
    const base = await serve();
    const slide = await openSlide(`${base}/CMU-1-Small-Region.svs`);
    server!.etag = '"v2"';
    await expect(slide.readTile(0, 5, 6)).rejects.toMatchObject({ code: 'object_changed' });
  });

  it('maps 404 and 403 to http_<status> errors that say what to do', async () => {
    const base = await serve();
    await expect(openSlide(`${base}/missing.svs`)).rejects.toMatchObject({ code: 'http_404' });
    const forbidden = new HttpSource('https://bucket.example/slide.svs', { fetch: fakeFetch(() => new Response('denied', { status: 403 })) });
    const error = await forbidden.size().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http_403', source: 'https://bucket.example/slide.svs' });
    expect((error as Error).message).toMatch(/expired/);
  });

  it('gives a network error naming CORS when the connection fails', async () => {
    const error = await new HttpSource('http://127.0.0.1:9/x.svs').size().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network' });
    expect((error as Error).message).toMatch(/CORS/);
  });

  it('reports 416 as a read past the end', async () => {
    const source = new HttpSource('https://h/x', {
      size: 100,
      fetch: fakeFetch(() => new Response(null, { status: 416, headers: { 'Content-Range': 'bytes */50' } })),
    });
    await expect(source.read(60, 10)).rejects.toMatchObject({ code: 'read_past_end' });
  });

  it('refuses a short body, a wrong Content-Range and a changed total size', async () => {
    const body = (n: number) => new Uint8Array(n);
    const short = new HttpSource('https://h/x', {
      size: 1000,
      probeLength: 10,
      fetch: fakeFetch(() => new Response(body(5), { status: 206, headers: { 'Content-Range': 'bytes 100-199/1000' } })),
    });
    await expect(short.read(100, 100)).rejects.toMatchObject({ code: 'truncated' });
    const shifted = new HttpSource('https://h/x', {
      size: 1000,
      fetch: fakeFetch(() => new Response(body(100), { status: 206, headers: { 'Content-Range': 'bytes 0-99/1000' } })),
    });
    await expect(shifted.read(500, 100)).rejects.toMatchObject({ code: 'range_unsupported' });
    const resized = new HttpSource('https://h/x', {
      size: 1000,
      fetch: fakeFetch(() => new Response(body(100), { status: 206, headers: { 'Content-Range': 'bytes 500-599/2000' } })),
    });
    await expect(resized.read(500, 100)).rejects.toMatchObject({ code: 'object_changed' });
  });

  it('aborts an in-flight request with the aborted code', async () => {
    const source = new HttpSource('https://h/x', {
      size: 1000,
      fetch: (_u, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    });
    const controller = new AbortController();
    const read = source.read(500, 100, { signal: controller.signal });
    controller.abort();
    const error = await read.catch((e: unknown) => e);
    expect(SlideError.is(error) && error.code).toBe('aborted');
  });
});

describe('BlobSource (a File dropped on the page)', () => {
  it('opens a slide from a Blob and reads its tiles', async () => {
    const file = new Blob([readFileSync(fixturePath('CMU-1-Small-Region.svs'))]);
    const slide = await openSlide(new BlobSource(file, 'CMU-1-Small-Region.svs'));
    expect(slide.levels[0]!.width).toBe(2220);
    const tile = await slide.readTile(0, 9, 12);
    expect([tile.width, tile.height, tile.codec]).toEqual([60, 87, 'jpeg']);
    await expect(new BlobSource(file).read(file.size - 1, 2)).rejects.toMatchObject({ code: 'read_past_end' });
  });
});
