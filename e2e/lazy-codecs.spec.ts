import { statSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { fixturePath } from '../test/support/fixtures.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

/** The codec and colour modules a page fetched: their chunks and WASM, by the names the bundler keeps. */
const LAZY = /(openjpeg|openjph|charls|zstddec|lcms)[^/]*\.(js|wasm)$/i;

/** Opens a slide in the harness viewer and waits until its view is drawn. */
async function openAndDraw(page: Page, url: string, options: object = {}): Promise<void> {
  await page.evaluate(
    async ({ url, options }) => {
      const w = window as any;
      w.lazyViewer?.destroy();
      w.lazyViewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, osd: { animationTime: 0 }, ...options });
      await new Promise<void>((resolve) => {
        const check = () => (w.lazyViewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
    },
    { url, options },
  );
}

/** Opens a slide in the harness viewer, waits until its view is drawn, and returns the lazy modules fetched meanwhile. */
async function lazyModulesFetched(page: Page, url: string, options: object = {}): Promise<string[]> {
  const fetched: string[] = [];
  // The context sees the decode workers' requests too.
  const listen = (request: { url(): string }) => {
    const match = LAZY.exec(new URL(request.url()).pathname);
    if (match) fetched.push(match[0].replace(/-[\w-]+\./, '.'));
  };
  page.context().on('request', listen);
  await openAndDraw(page, url, options);
  page.context().off('request', listen);
  return [...new Set(fetched)].sort();
}

test.describe('codecs and LittleCMS load only for the slides that need them', () => {
  test('a JPEG slide without a profile fetches no WASM codec and no LittleCMS', async ({ harness: page, servers }) => {
    expect(await lazyModulesFetched(page, servers.slideUrl('CMU-1-Small-Region.svs'))).toEqual([]);
  });

  test('a JPEG 2000 slide fetches OpenJPEG and nothing else', async ({ harness: page, servers }) => {
    const fetched = await lazyModulesFetched(page, servers.slideUrl('aperio-jp2k-33005-256.svs'));
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((name) => name.startsWith('openjpeg'))).toBe(true);
  });

  test('a ZSTD slide fetches the ZSTD decoder and nothing else, and draws every tile with it', async ({ harness: page, servers }) => {
    const fetched = await lazyModulesFetched(page, servers.slideUrl('yb10kx5k.zstd.tiff'));
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((name) => name.startsWith('zstddec'))).toBe(true);
    const stats = await page.evaluate(() => (window as any).lazyViewer.stats());
    expect([stats.tilesLoaded > 0, stats.tilesFailed]).toEqual([true, 0]);
  });

  test('a slide with a profile fetches LittleCMS with colour management on, and not with it off; its WASM once, by the page', async ({
    harness: page,
    servers,
  }) => {
    const url = servers.slideUrl('icc-prophoto-cmu.tif');
    expect(await lazyModulesFetched(page, url, { colour: 'none' })).toEqual([]);
    const wasm: string[] = [];
    const listen = (request: { url(): string }) => {
      if (/lcms[^/]*\.wasm$/.test(new URL(request.url()).pathname)) wasm.push(request.url());
    };
    page.context().on('request', listen);
    const managed = await lazyModulesFetched(page, url);
    page.context().off('request', listen);
    expect(managed.length).toBeGreaterThan(0);
    expect(managed.every((name) => name.startsWith('lcms'))).toBe(true);
    // Both workers convert colours, on the one module the page compiled; each fetched its own before.
    expect(wasm).toHaveLength(1);
    const { stats, colour } = await page.evaluate(() => ({ stats: (window as any).lazyViewer.stats(), colour: (window as any).lazyViewer.colour() }));
    expect([stats.tilesLoaded > 0, stats.tilesFailed, colour.mode, typeof colour.profile, colour.problem]).toEqual([true, 0, 'icc', 'string', undefined]);
  });
});

const JP2K = 'aperio-jp2k-33005-256.svs';
const OPENJPEG_WASM = /openjpeg[^/]*\.wasm$/i;

test.describe('the JPEG 2000 decoder loads beside the open, and its failures are reported', () => {
  test("OpenJPEG's WASM is fetched once the first directory names JPEG 2000, while the slide's tail is still held", async ({ harness: page, servers }) => {
    const size = statSync(fixturePath(JP2K)).size;
    let wasmRequested!: () => void;
    const wasm = new Promise<void>((resolve) => (wasmRequested = resolve));
    let tailsHeld = 0;
    let tailReleased = false;
    let wasmBeforeTail = false;
    page.context().on('request', (request) => {
      if (!OPENJPEG_WASM.test(new URL(request.url()).pathname)) return;
      // This slide's first directory is in its head, so OpenJPEG may be asked for before the tail request is even
      // out (cross-origin, the tail goes once the size is known): what counts is that it comes before the tail's bytes.
      wasmBeforeTail ||= !tailReleased;
      wasmRequested();
    });
    // The tail read ends at the file's last byte. Before the viewer warmed codecs, OpenJPEG was fetched only for the
    // first tile, after the open had read the tail: held here, it would never come (the guard lets the tail go).
    await page.context().route(`**/${JP2K}`, async (route) => {
      const range = route.request().headers().range ?? '';
      if (!range.endsWith(`-${size - 1}`) && !/^bytes=-\d+$/.test(range)) return route.continue();
      tailsHeld++;
      await Promise.race([wasm, new Promise((resolve) => setTimeout(resolve, 5000))]);
      tailReleased = true;
      return route.continue();
    });
    await openAndDraw(page, servers.slideUrl(JP2K));
    expect([tailsHeld > 0, wasmBeforeTail]).toEqual([true, true]);
  });

  test('OpenJPEG served without the application/wasm type still decodes (compiled from its bytes, not streamed)', async ({ harness: page, servers }) => {
    let relabelled = 0;
    await page.context().route(OPENJPEG_WASM, async (route) => {
      const response = await route.fetch();
      relabelled++;
      await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
    });
    await openAndDraw(page, servers.slideUrl(JP2K));
    expect(relabelled).toBeGreaterThan(0);
    const stats = await page.evaluate(() => (window as any).lazyViewer.stats());
    expect(stats.tilesLoaded).toBeGreaterThan(0);
    expect([stats.tilesFailed, stats.decoder.failed]).toEqual([0, 0]);
  });

  test("the page fetches and compiles OpenJPEG's WASM once, and every worker decodes with it, a replaced one too", async ({ harness: page, servers }) => {
    const fetched: string[] = [];
    // The context sees the workers' requests too: before, each worker fetched and compiled the WASM itself.
    page.context().on('request', (request) => {
      if (OPENJPEG_WASM.test(new URL(request.url()).pathname)) fetched.push(request.url());
    });
    const outcome = await page.evaluate(async (url) => {
      // The first worker dies on its first message (the pool's word that a module is coming); its replacement, made
      // once the module is compiled, must be handed it too.
      const pool = harness.poolWithCrashingFirstWorker({ size: 2, jobsPerWorker: 1 });
      const slide = await harness.openSlide(url);
      const decode = async (x: number) =>
        pool.decode(await slide.readTile(0, x, 0)).then(
          (image: { width: number }) => image.width,
          (e: { code: string }) => e.code,
        );
      try {
        // One job to each worker at once; then, the crashed worker replaced, one more each.
        const first = await Promise.all([decode(0), decode(1)]);
        const second = await Promise.all([decode(2), decode(3)]);
        return { first: first.sort(), second, replaced: pool.stats.workersReplaced };
      } finally {
        pool.terminate();
      }
    }, servers.slideUrl(JP2K));
    expect(outcome).toEqual({ first: [256, 'worker_failed'], second: [256, 256], replaced: 1 });
    expect(fetched).toHaveLength(1);
  });

  test('a WASM fetch that failed is tried again for the next tile', async ({ harness: page, servers }) => {
    let asked = 0;
    await page.context().route(OPENJPEG_WASM, (route) => (++asked === 1 ? route.fulfill({ status: 503, body: 'busy' }) : route.continue()));
    const outcome = await page.evaluate(async (url) => {
      const slide = await harness.openSlide(url);
      const pool = harness.createDecoderPool({ size: 2 });
      const decode = async () =>
        pool.decode(await slide.readTile(1, 0, 0)).then(
          (image: { width: number }) => `decoded ${image.width}`,
          (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
        );
      try {
        return [await decode(), await decode()];
      } finally {
        pool.terminate();
      }
    }, servers.slideUrl(JP2K));
    expect(outcome[0]).toMatch(/^unsupported_compression: .*OpenJPEG.*503/);
    expect(outcome[1]).toMatch(/^decoded \d+$/);
    expect(asked).toBe(2);
  });

  test("a WASM asset that cannot be fetched fails the slide's tiles as unsupported_compression; nothing hangs", async ({ harness: page, servers }) => {
    await page.context().route(OPENJPEG_WASM, (route) => route.fulfill({ status: 404, body: 'gone' }));
    const outcome = await page.evaluate(async (url) => {
      const slide = await harness.openSlide(url);
      const pool = harness.createDecoderPool();
      try {
        pool.warmCodec('jp2k');
        return await pool.decodeBitmap(await slide.readTile(1, 0, 0)).then(
          () => 'decoded',
          (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
        );
      } finally {
        pool.terminate();
      }
    }, servers.slideUrl(JP2K));
    expect(outcome).toMatch(/^unsupported_compression: .*OpenJPEG.*404/);
  });
});
