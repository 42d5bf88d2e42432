import { expect, test } from './support/fixtures.js';

declare const harness: any;

const CMU = 'CMU-1-Small-Region.svs';

test.describe('the viewer when decode workers die', () => {
  test('a worker that dies mid-view is replaced and the tiles it held are shown after all', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (url) => {
      const pool = harness.poolWithCrashingFirstWorker({ size: 2 });
      const failed: string[] = [];
      const loadedAfterFailing: string[] = [];
      // Listening from the start: the home view's tiles are read ahead while the viewer is built, so the first ones
      // can die before createViewer resolves.
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, {
        pool,
        prefetch: false,
        osd: { animationTime: 0 },
        on: {
          'tile-failed': (e: { level: number; x: number; y: number; error: { code: string } }) => failed.push(`${e.level}/${e.x}/${e.y} ${e.error.code}`),
          'tile-loaded': (t: { level: number; x: number; y: number }) => {
            const key = `${t.level}/${t.x}/${t.y}`;
            if (failed.some((f) => f.startsWith(`${key} `))) loadedAfterFailing.push(key);
          },
        },
      });
      const item = () => viewer.osd.world.getItemAt(0);
      while (!item()?.getFullyLoaded() || failed.length === 0) await new Promise((r) => setTimeout(r, 50));
      const stats = viewer.stats();
      const banner = (document.querySelector('.wsi-error') as HTMLElement).hidden;
      viewer.destroy();
      pool.terminate();
      return { failed, loadedAfterFailing, replaced: stats.decoder.workersReplaced, loaded: stats.tilesLoaded, bannerHidden: banner };
    }, `${servers.slides.real.url}/${CMU}`);
    expect(result.failed.length).toBeGreaterThan(0);
    for (const failure of result.failed) expect(failure).toMatch(/ worker_failed$/);
    // Every tile lost with the worker was asked for again and shown (by the navigator too, which shares the tile
    // source: a key may be loaded twice).
    const distinct = (keys: string[]) => [...new Set(keys)].sort();
    expect(distinct(result.loadedAfterFailing)).toEqual(distinct(result.failed.map((f) => f.split(' ')[0]!)));
    expect(result.replaced).toBe(1);
    expect(result.loaded).toBeGreaterThanOrEqual(result.failed.length);
    expect(result.bannerHidden).toBe(true);
  });

  test('a tile that kills every worker is given up after two more tries, with a banner, and the viewer stays usable', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (url) => {
      let made = 0;
      const pool = new harness.DecoderPool(
        () => {
          made++;
          return harness.crashingWorker();
        },
        { size: 1 },
      );
      const failures = new Map<string, number>();
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { pool, prefetch: false, navigator: false, osd: { animationTime: 0 } });
      viewer.on('tile-failed', (e: { level: number; x: number; y: number; error: { code: string } }) => {
        const key = `${e.level}/${e.x}/${e.y}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
      });
      // At least 3 s, and until the failures stop coming (every lost tile tried its three times: each try starts a
      // worker, slower on a loaded machine); then long enough for any retry loop to show itself.
      let lastFailure = performance.now();
      viewer.on('tile-failed', () => {
        lastFailure = performance.now();
      });
      const started = performance.now();
      const settling = () =>
        performance.now() - started < 3000 || failures.size === 0 || [...failures.values()].some((n) => n < 3) || performance.now() - lastFailure < 1500;
      while (settling() && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
      const workersBefore = made;
      await new Promise((r) => setTimeout(r, 1000));
      const banner = document.querySelector('.wsi-error') as HTMLElement;
      const outcome = { tries: [...failures.values()], settledWorkers: made === workersBefore, bannerShown: !banner.hidden, banner: banner.textContent };
      // Still a working viewer: it zooms without throwing and can be destroyed.
      viewer.osd.viewport.zoomBy(2, undefined, true);
      viewer.destroy();
      pool.terminate();
      return outcome;
    }, `${servers.slides.real.url}/${CMU}`);
    expect(result.tries.length).toBeGreaterThan(0);
    // One try and two retries per tile, never more.
    for (const tries of result.tries) expect(tries).toBe(3);
    expect(result.settledWorkers).toBe(true);
    expect(result.bannerShown).toBe(true);
    expect(result.banner).toMatch(/worker_failed/);
  });
});
