import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const SLIDE = 'aperio-jpeg-ycbcr-240.svs'; // 8880×11868, 7 levels, about 2,500 tiles

/** Opens the viewer in the harness page; records every settle of every OpenSeadragon job, and the bitmaps handed to it. */
async function openViewer(page: Page, url: string, osd: object = {}, prefetch: object | false = false): Promise<void> {
  await page.evaluate(
    async ({ url, osd, prefetch }) => {
      const w = window as any;
      w.settles = new Map();
      w.bitmaps = [];
      const proto = harness.OpenSeadragon.ImageJob.prototype;
      for (const name of ['finish', 'fail']) {
        const original = proto[name];
        proto[name] = function (this: object, ...args: unknown[]) {
          w.settles.set(this, (w.settles.get(this) ?? 0) + 1);
          if (args[0] instanceof ImageBitmap) w.bitmaps.push(args[0]);
          return original.apply(this, args);
        };
      }
      w.viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch, osd: { animationTime: 0, ...osd } });
    },
    { url, osd, prefetch },
  );
}

async function waitFullyLoaded(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const osd = (window as any).viewer.osd;
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    await new Promise<void>((resolve) => {
      const check = () => (osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
      check();
    });
  });
}

/** Zooms to one image pixel per screen pixel and centres on full-resolution (x, y). */
async function lookAt(page: Page, x: number, y: number): Promise<void> {
  await page.evaluate(
    ({ x, y }) => {
      const osd = (window as any).viewer.osd;
      const item = osd.world.getItemAt(0);
      osd.viewport.zoomTo(item.imageToViewportZoom(1), undefined, true);
      osd.viewport.panTo(item.imageToViewportCoordinates(x, y), true);
    },
    { x, y },
  );
}

test.describe('viewer network behaviour', () => {
  test('opening and the first viewport read no byte range twice', async ({ harness: page, servers }) => {
    const { server, url } = servers.slides.generated;
    const before = server.requestsFor(SLIDE).length;
    await openViewer(page, `${url}/${SLIDE}`);
    await waitFullyLoaded(page);
    const log = server.requestsFor(SLIDE).slice(before);
    const ranges = log.map((r) => r.range);
    expect(new Set(ranges).size).toBe(ranges.length);
    const stats = await page.evaluate(() => (window as any).viewer.stats());
    expect(stats.requests).toBe(log.length);
    expect(stats.tilesLoaded).toBeGreaterThan(0);
  });

  test('panning fast aborts stale tiles, and every tile job settles exactly once', async ({ harness: page, servers }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 80, downloadThroughput: 2_000_000, uploadThroughput: 1_000_000 });
    const { server, url } = servers.slides.generated;
    await openViewer(page, `${url}/${SLIDE}`, { imageLoaderLimit: 6 });
    await waitFullyLoaded(page);
    const before = server.requestsFor(SLIDE).length;
    // Sweep across level 0 faster than tiles can arrive.
    for (let i = 0; i < 25; i++) {
      await lookAt(page, 700 + i * 320, 1000 + i * 400);
      await page.waitForTimeout(40);
    }
    await lookAt(page, 4000, 6000);
    await waitFullyLoaded(page);
    const result = await page.evaluate(() => {
      const w = window as any;
      return { stats: w.viewer.stats(), maxSettles: Math.max(...w.settles.values()), inFlight: w.viewer.tileSource.inFlight };
    });
    expect(result.stats.tilesAborted).toBeGreaterThan(0);
    expect(result.maxSettles).toBe(1);
    expect(result.inFlight).toBe(0);
    // Aborted tiles never finished downloading: the server sent fewer tile bodies than jobs were started.
    const tileRequests = server.requestsFor(SLIDE).slice(before).length;
    expect(tileRequests).toBeLessThan(result.stats.tilesLoaded + result.stats.tilesAborted);
    await cdp.detach();
  });

  test('idle prefetch fetches the ring around the view, so a pan by one tile needs no request', async ({ harness: page, servers }) => {
    const { server, url } = servers.slides.generated;
    await openViewer(page, `${url}/${SLIDE}`, {}, { delayMs: 200, maxTiles: 64 });
    await waitFullyLoaded(page);
    await lookAt(page, 4000, 6000);
    await waitFullyLoaded(page);
    // Wait for the prefetch to finish: the cache stops growing.
    let previous = -1;
    for (;;) {
      await page.waitForTimeout(500);
      const misses = await page.evaluate(() => (window as any).viewer.tileSource.tileCache.stats.misses);
      if (misses === previous) break;
      previous = misses;
    }
    const before = server.requestsFor(SLIDE).length;
    const hitsBefore = await page.evaluate(() => (window as any).viewer.tileSource.tileCache.stats.hits);
    await lookAt(page, 4000 + 240, 6000);
    await waitFullyLoaded(page);
    expect(server.requestsFor(SLIDE).length - before).toBe(0);
    expect(await page.evaluate(() => (window as any).viewer.tileSource.tileCache.stats.hits)).toBeGreaterThan(hitsBefore);
  });

  test('memory stays bounded after panning over 2,000 tiles', async ({ harness: page, servers }) => {
    const { url } = servers.slides.generated;
    const cacheCap = 150;
    await openViewer(page, `${url}/${SLIDE}`, { maxImageCacheCount: cacheCap });
    await waitFullyLoaded(page);
    // The page's JS heap after a forced full collection (performance.memory is coarse and counts garbage too).
    const cdp = await page.context().newCDPSession(page);
    const heapAfterGc = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const heapBefore = await heapAfterGc();
    let loaded = 0;
    // Walk level 0 view by view, then level 1, until 2,000 tiles have been drawn.
    for (let pass = 0; loaded < 2000 && pass < 3; pass++) {
      for (let y = 400; y < 11868 && loaded < 2000; y += 800) {
        for (let x = 640; x < 8880 && loaded < 2000; x += 1280) {
          await lookAt(page, x + pass * 7, y);
          await waitFullyLoaded(page);
          loaded = await page.evaluate(() => (window as any).viewer.stats().tilesLoaded);
        }
      }
    }
    expect(loaded).toBeGreaterThanOrEqual(2000);
    const after = await page.evaluate(() => {
      const w = window as any;
      // A closed bitmap has no size: its pixels are gone.
      const open = w.bitmaps.filter((b: ImageBitmap) => b.width > 0).length;
      return { cached: w.viewer.osd.tileCache.numTilesLoaded(), pool: w.viewer.pool.stats, handed: w.bitmaps.length, open };
    });
    const heapAfter = await heapAfterGc();
    console.info(`JS heap after GC: ${(heapBefore / 1e6).toFixed(1)} MB before, ${(heapAfter / 1e6).toFixed(1)} MB after ${loaded} tiles`);
    expect(after.cached).toBeLessThanOrEqual(cacheCap);
    // Their pixels are not in the heap either: each bitmap OpenSeadragon lets go of is closed at once, not left to the
    // collector (which does not count them).
    expect(after.handed).toBeGreaterThanOrEqual(2000);
    expect(after.open).toBeLessThanOrEqual(cacheCap);
    // Decoded tiles live in ImageBitmaps outside the JS heap; the heap itself must not grow with tiles seen.
    expect(heapAfter - heapBefore).toBeLessThan(40 * 1024 * 1024);
    expect(after.pool.queued + after.pool.running).toBe(0);
  });
});
