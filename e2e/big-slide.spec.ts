import { bigSlide } from '../test/support/big-slide.js';
import { RangeServer } from '../test/support/range-server.js';
import { expect, test } from './support/fixtures.js';
import { openAndSettle } from './support/open-and-settle.js';

declare const harness: any;

test.describe('the big generated slide (make-big-slide.sh N=11, 190 MB BigTIFF, 8 levels)', () => {
  let server: RangeServer;
  let url: string;
  test.beforeAll(async () => {
    const { dir, file } = bigSlide(11);
    server = new RangeServer({ root: dir });
    url = `${await server.start()}/${file}`;
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('opening and the first viewport read no range twice and cost a request per directory outside the tail; deeper tiles share requests', async ({
    harness: page,
  }) => {
    const before = server.log.length;
    const stats = await page.evaluate(async (url) => {
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
      const opened = viewer.stats().requests;
      const loaded = () =>
        new Promise<void>((resolve) => {
          const check = () => (viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
          check();
        });
      await loaded();
      const first = viewer.stats();
      // Full resolution in the middle: level 0's tiles lie far from the tail, next to each other in the file.
      viewer.osd.viewport.zoomTo(viewer.osd.viewport.getMaxZoom(), undefined, true);
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      await loaded();
      return { opened, first, deep: viewer.stats() };
    }, url);
    const ranges = server.log.map((r) => r.range);
    expect(new Set(ranges).size).toBe(ranges.length);
    // Metadata comes in whole 4 KiB blocks; a tile request is the tiles' exact bytes.
    const isTileRequest = (r: { range?: string; bytes: number }) => {
      const start = Number(/bytes=(\d+)-/.exec(r.range ?? '')![1]);
      return start % 4096 !== 0 || r.bytes % 4096 !== 0;
    };
    // 8 IFDs, one after each level's data; the last four lie in the tail read. The open asks for the probe, the tail
    // and directory 0 (2 round trips); directories 1–3, whose levels it predicts, are read behind it, one request each,
    // before or after the viewer is made.
    expect(stats.opened).toBeLessThanOrEqual(6);
    // The first viewport shows levels whose tiles the tail read brought along: it asks for no tile, and nothing but
    // those directories.
    expect(stats.first.tilesFailed).toBe(0);
    expect(stats.first.tilesLoaded).toBeGreaterThan(0);
    expect(stats.first.requests).toBeLessThanOrEqual(6);
    expect(server.log.slice(before + stats.opened, before + stats.first.requests).filter(isTileRequest)).toEqual([]);
    // Deeper tiles start together and lie next to each other in the file: they share requests (through the
    // persistent cache, whose lookups are batched so the misses still meet in one task).
    const tileReads = stats.deep.tileCache.misses - stats.first.tileCache.misses;
    const tileRequests = server.log.slice(before + stats.first.requests).filter(isTileRequest);
    expect(tileReads).toBeGreaterThan(0);
    expect(stats.deep.tilesFailed).toBe(0);
    expect(stats.deep.coalescedReads).toBeGreaterThan(0);
    expect(tileRequests.length).toBeLessThanOrEqual(tileReads / 2);
    // Every request the viewer counts reaches the server: those it had just sent when the view settled arrive soon
    // after (the server may see more, started after the snapshot).
    await expect.poll(() => server.log.length - before, { timeout: 5_000 }).toBeGreaterThanOrEqual(stats.deep.requests);
  });

  test('reopens after a reload with no request on a network with latency: a reload reads the ranges the first visit read', async ({ harness: page }) => {
    // A network with latency, as the benchmark's: answers then arrive in another order than the warm session's
    // answers from IndexedDB, and the persistent cache (exact ranges) hits only if the reads do not depend on it.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: 12.5e6, uploadThroughput: 12.5e6 });
    const first = await openAndSettle(page, url);
    expect(first.requests).toBeGreaterThan(0);
    await page.reload();
    await expect(page).toHaveTitle('ready');
    const before = server.log.length;
    const second = await openAndSettle(page, url);
    expect(server.log.slice(before).map((r) => r.range)).toEqual([]);
    expect(second.tilesFailed).toBe(0);
  });

  test("a long pan forgets OpenSeadragon's records of tiles long gone, and tiles passed before draw again", async ({ harness: page }) => {
    const result = await page.evaluate(async (url) => {
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
      const osd = viewer.osd;
      harness.forgetIdleTileRecords(osd, { everyMs: 0, idleMs: 200 });
      const image = () => osd.world.getItemAt(0);
      const records = () =>
        Object.values(image().tilesMatrix).reduce(
          (n: number, columns: any) => n + Object.values(columns).reduce((m: number, c: any) => m + Object.keys(c).length, 0),
          0,
        );
      const settle = async () => {
        for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
        await new Promise<void>((resolve) => {
          const check = () => (image().getFullyLoaded() ? resolve() : setTimeout(check, 20));
          check();
        });
      };
      const { x: width, y: height } = image().source.dimensions;
      const goTo = async (i: number) => {
        // Full resolution, on a walk that covers the slide in steps of a few screens.
        osd.viewport.zoomTo(image().imageToViewportZoom(1), undefined, true);
        osd.viewport.panTo(image().imageToViewportCoordinates(((i * 7919) % 40) * (width / 40), ((i * 104729) % 30) * (height / 30)), true);
        await settle();
      };
      for (let i = 0; i < 40; i++) await goTo(i);
      await new Promise((r) => setTimeout(r, 300));
      osd.forceRedraw();
      await settle();
      const held = records();
      const decoded = osd.tileCache.numTilesLoaded();
      const loadedSoFar = viewer.stats().tilesLoaded;
      await goTo(0);
      const again = viewer.stats();
      return { held, decoded, loadedSoFar, againLoaded: again.tilesLoaded - loadedSoFar, againFailed: again.tilesFailed, fully: image().getFullyLoaded() };
    }, url);
    // Hundreds of tiles were passed; the records left are about the tiles held decoded and those on screen.
    expect(result.loadedSoFar).toBeGreaterThan(3 * result.decoded);
    expect(result.held).toBeLessThanOrEqual(result.decoded + 64);
    // Back where the walk began: the forgotten tiles are made again and loaded, none fails.
    expect(result.againLoaded).toBeGreaterThan(0);
    expect([result.againFailed, result.fully]).toEqual([0, true]);
  });
});
