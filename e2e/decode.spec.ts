import { difference, rgbaToRgb, withinTolerance } from '../test/support/compare.js';
import { referencePng, references } from '../test/support/fixtures.js';
import { readPngRgb } from '../test/support/images.js';
import type { Page } from '@playwright/test';
import { RangeServer } from '../test/support/range-server.js';
import { boxesRgb, tileOf, webpTiff } from '../test/support/webp-tiff.js';
import { expect, test } from './support/fixtures.js';

// The harness page exposes the browser entry as `harness`; the page code is typed loosely on purpose (it runs in the browser).
declare const harness: any;

interface PageTile {
  width: number;
  height: number;
  base64: string;
}

const tiled = references.filter((r) => r.reference_tiles?.length);

/** Tiles of the slide at `url` decoded in the page by the worker pool, as RGBA pixels or (the viewer's path) ImageBitmaps. */
function decodeInPage(page: Page, url: string, tiles: Array<{ level: number; x: number; y: number }>, output: 'rgba' | 'bitmap'): Promise<PageTile[]> {
  return page.evaluate(
    async ({ url, tiles, output }) => {
      const slide = await harness.openSlide(url);
      const pool = harness.createDecoderPool();
      const toBase64 = (data: Uint8ClampedArray) => {
        let s = '';
        for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
        return btoa(s);
      };
      const out = [];
      for (const t of tiles) {
        const tile = await slide.readTile(t.level, t.x, t.y);
        if (output === 'rgba') {
          const image = await pool.decode(tile);
          out.push({ width: image.width, height: image.height, base64: toBase64(image.data) });
        } else {
          // The viewer's path: an ImageBitmap drawn on a canvas.
          const bitmap: ImageBitmap = await pool.decodeBitmap(tile);
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const context = canvas.getContext('2d')!;
          context.drawImage(bitmap, 0, 0);
          out.push({ width: bitmap.width, height: bitmap.height, base64: toBase64(context.getImageData(0, 0, bitmap.width, bitmap.height).data) });
          bitmap.close();
        }
      }
      pool.terminate();
      return out;
    },
    { url, tiles, output },
  );
}

test.describe('decoding in the browser worker pool matches the OpenSlide references', () => {
  for (const ref of tiled) {
    for (const output of ['rgba', 'bitmap'] as const) {
      test(`${ref.file} (${output})`, async ({ harness: page, servers }) => {
        const tiles = await decodeInPage(page, servers.slideUrl(ref.file), ref.reference_tiles!, output);
        const compression = ref.tiff_pages![0]!.compression;
        ref.reference_tiles!.forEach((t, i) => {
          const got = tiles[i]!;
          expect([got.width, got.height]).toEqual([t.width, t.height]);
          const d = difference(rgbaToRgb(got.width, got.height, Buffer.from(got.base64, 'base64')), readPngRgb(referencePng(t.png)));
          expect(withinTolerance(compression, d), `${t.png}: max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
        });
      });
    }
  }
});

test.describe('WebP tiles in the browser (the native decoder, as JPEG)', () => {
  for (const output of ['rgba', 'bitmap'] as const) {
    test(`lossless WebP tiles equal the image they were made from (${output})`, async ({ harness: page }) => {
      const { dir, file } = webpTiff();
      const server = new RangeServer({ root: dir });
      const base = await server.start();
      try {
        const at = [
          { level: 0, x: 0, y: 0 },
          { level: 0, x: 2, y: 1 },
          { level: 0, x: 4, y: 3 },
        ];
        const tiles = await decodeInPage(page, `${base}/${file}`, at, output);
        const expected = await boxesRgb();
        at.forEach((t, i) => {
          const got = tiles[i]!;
          const d = difference(rgbaToRgb(got.width, got.height, Buffer.from(got.base64, 'base64')), tileOf(expected, t.x, t.y));
          expect(d.max, `tile (${t.x}, ${t.y})`).toBe(0);
        });
      } finally {
        await server.stop();
      }
    });
  }
});

/**
 * Decodes a tile without chroma subsampling (CMU-1's, RGB-coded as Aperio writes them) and a 4:2:0 one with the
 * browser's JPEG routes in the page, counting ImageDecoder's uses, and compares each with the same bytes through
 * createImageBitmap(Blob); then converts a tile of icc-adobergb-cmu.svs from its profile. A string, so tsx adds no
 * helpers to code that runs in the page.
 */
const JPEG_ROUTES = `(async ({ realBase, generatedBase, withoutImageDecoder }) => {
  if (withoutImageDecoder) delete globalThis.ImageDecoder;
  let made = 0;
  const Original = globalThis.ImageDecoder;
  if (Original) globalThis.ImageDecoder = class extends Original { constructor(init) { super(init); made++; } };
  const pixels = (bitmap) => {
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  };
  const maxDifference = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  const { nativeBitmap, convertedJpegBitmap } = harness.jpegRoutes;
  const out = {};
  for (const [name, url] of [['unsubsampled', realBase + '/CMU-1-Small-Region.svs'], ['subsampled', generatedBase + '/aperio-jpeg-ycbcr-240.svs']]) {
    const tile = await (await harness.openSlide(url)).readTile(0, 1, 1);
    const before = made;
    const decoded = pixels(await nativeBitmap(tile));
    const viaBlob = pixels(await createImageBitmap(new Blob([tile.bytes], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }));
    out[name] = { imageDecoders: made - before, difference: maxDifference(decoded, viaBlob) };
  }
  const managed = await harness.openSlide(generatedBase + '/icc-adobergb-cmu.svs');
  const tile = await managed.readTile(0, 1, 1);
  const segments = harness.colourRoute.jpegIccSegments(await managed.colourProfile.read());
  const before = made;
  const converted = pixels(await convertedJpegBitmap(tile, segments, 'srgb'));
  out.converted = { imageDecoders: made - before, changed: maxDifference(converted, pixels(await nativeBitmap(tile))) };
  return out;
})`;

test.describe("the browser's JPEG decoder", () => {
  test('JPEGs without chroma subsampling go through ImageDecoder, subsampled ones through createImageBitmap, with the same pixels', async ({
    harness: page,
    servers,
  }) => {
    const args = { realBase: servers.slides.real.url, generatedBase: servers.slides.generated.url, withoutImageDecoder: false };
    const result = await page.evaluate(`${JPEG_ROUTES}(${JSON.stringify(args)})`);
    expect(result).toEqual({
      unsubsampled: { imageDecoders: 1, difference: 0 },
      // 4:2:0 would come out of ImageDecoder as YUV planes, upsampled otherwise than libjpeg does.
      subsampled: { imageDecoders: 0, difference: 0 },
      // The profile applied as the decoder decodes (how well it matches LittleCMS is colour.spec's to check).
      converted: { imageDecoders: 1, changed: expect.any(Number) },
    });
    expect((result as { converted: { changed: number } }).converted.changed).toBeGreaterThan(10);
  });

  test('without ImageDecoder (Safari) every JPEG goes through createImageBitmap', async ({ harness: page, servers }) => {
    const args = { realBase: servers.slides.real.url, generatedBase: servers.slides.generated.url, withoutImageDecoder: true };
    const result = await page.evaluate(`${JPEG_ROUTES}(${JSON.stringify(args)})`);
    expect(result).toMatchObject({ unsubsampled: { difference: 0 }, subsampled: { difference: 0 } });
    expect((result as { converted: { changed: number } }).converted.changed).toBeGreaterThan(10);
  });
});

test.describe('the worker pool', () => {
  test('transfers tile bytes instead of copying them, and errors keep their code across the boundary', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (base) => {
      const pool = harness.createDecoderPool({ size: 1 });
      const good = await harness.openSlide(`${base}/CMU-1-Small-Region.svs`);
      const tile = await good.readTile(0, 5, 6);
      const before = tile.bytes.byteLength;
      await pool.decode(tile);
      const after = tile.bytes.byteLength;
      const bad = await harness.openSlide(`${base}/unreadable.svs`);
      const error = await pool.decode(await bad.readTile(0, 0, 0)).catch((e: unknown) => e);
      const recovered = await pool.decode(await good.readTile(0, 0, 0));
      pool.terminate();
      return {
        before,
        after,
        isSlideError: harness.SlideError.is(error),
        instance: error instanceof harness.SlideError,
        code: (error as { code?: string }).code,
        recovered: recovered.width,
      };
    }, servers.slides.real.url);
    expect(result.before).toBeGreaterThan(0);
    expect(result.after).toBe(0);
    expect(result).toMatchObject({ isSlideError: true, instance: true, code: 'corrupt', recovered: 240 });
  });

  test('aborted jobs settle at once as aborted and leave the pool working', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (base) => {
      const pool = harness.createDecoderPool({ size: 1, jobsPerWorker: 1 });
      const slide = await harness.openSlide(`${base}/aperio-jp2k-33003-240.svs`);
      const tiles = await Promise.all(Array.from({ length: 12 }, (_, i) => slide.readTile(0, i, 0)));
      const controller = new AbortController();
      const jobs = tiles.map((t: unknown) =>
        pool.decode(t, { signal: controller.signal }).then(
          () => 'done',
          (e: { code: string }) => e.code,
        ),
      );
      controller.abort();
      const outcomes = await Promise.all(jobs);
      const stats = { ...pool.stats };
      const after = await pool.decode(await slide.readTile(0, 0, 1));
      pool.terminate();
      return { outcomes, stats, after: after.width };
    }, servers.slides.generated.url);
    expect(result.outcomes).toEqual(new Array(12).fill('aborted'));
    expect(result.stats.aborted).toBe(12);
    expect(result.stats.completed).toBe(0);
    expect(result.after).toBe(240);
  });

  test('a worker is handed 16 jobs at once by default; the rest wait in the pool', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (base) => {
      const pool = harness.createDecoderPool({ size: 1 });
      const slide = await harness.openSlide(`${base}/aperio-jpeg-ycbcr-240.svs`);
      const tiles = await Promise.all(Array.from({ length: 20 }, (_, i) => slide.readTile(0, i, 3)));
      const jobs = tiles.map((t: unknown) => pool.decodeBitmap(t));
      const handed = { running: pool.stats.running, queued: pool.stats.queued };
      for (const bitmap of await Promise.all(jobs)) bitmap.close();
      const settled = { running: pool.stats.running, queued: pool.stats.queued, completed: pool.stats.completed };
      pool.terminate();
      return { handed, settled };
    }, servers.slides.generated.url);
    expect(result).toEqual({ handed: { running: 16, queued: 4 }, settled: { running: 0, queued: 0, completed: 20 } });
  });

  test('a job given a worker waits for it however busy, without holding up jobs behind it that any worker may run', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (base) => {
      const pool = harness.createDecoderPool({ size: 2, jobsPerWorker: 1 });
      const slide = await harness.openSlide(`${base}/aperio-jpeg-ycbcr-240.svs`);
      const tiles = await Promise.all(Array.from({ length: 4 }, (_, i) => slide.readTile(0, i, 3)));
      const pinned = tiles.slice(0, 3).map((t: unknown) => pool.decodeBitmap(t, { worker: 2 }));
      // Worker 2 of 2 is worker 0: one of the three runs, two wait, and worker 1 stays free.
      const onOne = { running: pool.stats.running, queued: pool.stats.queued };
      const free = pool.decodeBitmap(tiles[3]);
      const passed = { running: pool.stats.running, queued: pool.stats.queued };
      for (const bitmap of await Promise.all([...pinned, free])) bitmap.close();
      const settled = { running: pool.stats.running, queued: pool.stats.queued, completed: pool.stats.completed };
      // A worker no index names is refused at once, never left waiting.
      const refused = await Promise.all(
        [-1, 0.5, Number.NaN].map((worker) =>
          pool.decodeBitmap(tiles[0], { worker }).then(
            () => 'decoded',
            (e: { code: string }) => e.code,
          ),
        ),
      );
      pool.terminate();
      return { onOne, passed, settled, refused };
    }, servers.slides.generated.url);
    expect(result).toEqual({
      onOne: { running: 1, queued: 2 },
      passed: { running: 2, queued: 2 },
      settled: { running: 0, queued: 0, completed: 4 },
      refused: ['invalid_argument', 'invalid_argument', 'invalid_argument'],
    });
  });

  test('a worker that dies fails its job with worker_failed and is replaced', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (base) => {
      const pool = harness.poolWithCrashingFirstWorker({ size: 1 });
      const slide = await harness.openSlide(`${base}/CMU-1-Small-Region.svs`);
      const crashed = await pool.decode(await slide.readTile(0, 1, 1)).then(
        () => 'done',
        (e: { code: string }) => e.code,
      );
      const next = await pool.decode(await slide.readTile(0, 1, 1));
      const replaced = pool.stats.workersReplaced;
      pool.terminate();
      return { crashed, next: next.width, replaced };
    }, servers.slides.real.url);
    expect(result).toEqual({ crashed: 'worker_failed', next: 240, replaced: 1 });
  });
});
