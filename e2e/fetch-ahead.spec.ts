import type { Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { fixture } from '../test/support/fixtures.js';
import { tailRequest } from '../src/tiff/tail-read.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

/** Opens `slide` in a viewer (after `sendEarlyProbe` when `early`), waits for the home view, and says how many tiles it drew. */
function tilesLoadedOnce(page: Page, slide: string, early: boolean): Promise<number> {
  return page.evaluate(
    async ({ slide, early }) => {
      if (early) harness.sendEarlyProbe(slide);
      const viewer = await harness.createViewer(document.getElementById('viewer'), slide, { navigator: false, prefetch: false });
      await new Promise<void>((resolve) => {
        const check = () => (viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      const stats = viewer.stats();
      viewer.destroy();
      return stats.tilesLoaded as number;
    },
    { slide, early },
  );
}

/**
 * The viewer reads and decodes the home view's tiles before OpenSeadragon asks (fetchAhead): it must guess exactly the
 * tiles OpenSeadragon then asks for at home, or it spends bytes nobody draws (or leaves the wait where it was).
 */
test.describe('tiles fetched ahead of OpenSeadragon', () => {
  for (const name of [
    'CMU-1-Small-Region.svs',
    'aperio-jpeg-ycbcr-240.svs',
    'aperio-jp2k-33005-256.svs',
    'boxes.tiff',
    'test3-TRITC-2-560.ndpi',
    'ome-brightfield-cmu.ome.tif',
  ]) {
    test(`${name}: exactly the tiles OpenSeadragon asks for at home, no byte read twice`, async ({ harness: page, servers }) => {
      const { server } = servers.slides[fixture(name).id.startsWith('real/') ? 'real' : 'generated'];
      const before = server.log.length;
      const result = await page.evaluate(async (url) => {
        const proto = harness.SlideTileSource.prototype;
        const ahead: string[] = [];
        const asked: string[] = [];
        const { fetchAhead, downloadTileStart } = proto;
        proto.fetchAhead = function (levels: number[], ...rest: unknown[]) {
          for (const level of levels) {
            const { tilesX, tilesY } = this.levels[level];
            for (let y = 0; y < tilesY; y++) for (let x = 0; x < tilesX; x++) ahead.push(`${level}/${x}/${y}`);
          }
          return fetchAhead.call(this, levels, ...rest);
        };
        proto.downloadTileStart = function (job: any) {
          const t = job.postData;
          asked.push(`${t.level}/${t.x}/${t.y}`);
          return downloadTileStart.call(this, job);
        };
        try {
          const w = window as any;
          w.viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
          await new Promise<void>((resolve) => {
            const check = () => (w.viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
            check();
          });
          return { ahead: ahead.sort(), asked: [...new Set(asked)].sort(), askedTwice: asked.length - new Set(asked).size, stats: w.viewer.stats() };
        } finally {
          proto.fetchAhead = fetchAhead;
          proto.downloadTileStart = downloadTileStart;
        }
      }, servers.slideUrl(name));
      expect(result.ahead.length).toBeGreaterThan(0);
      expect(result.asked).toEqual(result.ahead);
      expect(result.askedTwice).toBe(0);
      expect(result.stats.tilesFailed).toBe(0);
      // The reads ahead and OpenSeadragon's own joined: every byte of the file went over the wire at most once.
      const ranges = server.log
        .slice(before)
        .map((r) => [Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? 0), r.bytes] as const)
        .map(([from, bytes]) => [from, from + bytes] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0], JSON.stringify(ranges)).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    });
  }

  /**
   * The decodes a viewer's pool was handed on opening `url`, each with whether OpenSeadragon had drawn a frame yet, how
   * many decodes were then under way (itself included) and the worker it was given, if any.
   */
  const decodesOnOpening = (page: Page, url: string) =>
    page.evaluate(async (url) => {
      const w = window as any;
      // 'update-viewport' is raised after each frame OpenSeadragon draws.
      let drawn = false;
      const viewerProto = harness.OpenSeadragon.Viewer.prototype;
      const { raiseEvent } = viewerProto;
      viewerProto.raiseEvent = function (name: string, ...rest: unknown[]) {
        if (name === 'update-viewport') drawn = true;
        return raiseEvent.call(this, name, ...rest);
      };
      const pool = harness.createDecoderPool();
      const log: Array<{ codec: string; drawn: boolean; underWay: number; worker?: number }> = [];
      let underWay = 0;
      // Tiles come back as bitmaps, or (JPEG 2000 home-view tiles, whose pixels the viewer keeps) as pixels.
      for (const method of ['decodeBitmap', 'decode']) {
        const decode = pool[method];
        pool[method] = (tile: { codec: string }, options?: { worker?: number }) => {
          underWay++;
          log.push({ codec: tile.codec, drawn, underWay, ...(options?.worker === undefined ? {} : { worker: options.worker }) });
          return decode.call(pool, tile, options).finally(() => underWay--);
        };
      }
      try {
        w.decodedViewer?.destroy();
        w.decodedViewer = await harness.createViewer(document.getElementById('viewer'), url, {
          pool,
          navigator: false,
          prefetch: false,
          osd: { animationTime: 0 },
        });
        while (!w.decodedViewer.osd.world.getItemAt(0)?.getFullyLoaded()) await new Promise((r) => setTimeout(r, 30));
        return { log, failed: w.decodedViewer.stats().tilesFailed as number };
      } finally {
        viewerProto.raiseEvent = raiseEvent;
      }
    }, url);

  test("JPEG 2000 tiles read ahead are decoded on one worker, two at a time, until OpenSeadragon's first frame is drawn; JPEG tiles at once", async ({
    harness: page,
    servers,
  }) => {
    const jp2k = await decodesOnOpening(page, servers.slideUrl('aperio-jp2k-33005-256.svs'));
    // The home view's level-1 tiles (3×3), read ahead with the open's tail: before the first frame, on worker 0 and
    // never more than two handed to it (one decoding, one waiting in its queue), so a second core stays the page's.
    expect(jp2k.log.map((s) => s.codec)).toEqual(Array(9).fill('jp2k'));
    const beforeFrame = jp2k.log.filter((s) => !s.drawn);
    expect(beforeFrame.filter((s) => s.worker !== 0)).toEqual([]);
    expect(beforeFrame.length).toBeGreaterThanOrEqual(2);
    // (A turn can pass on worker 0 in the moment between the frame and the task after it, where the rule ends.)
    expect(jp2k.log.filter((s) => s.worker === 0 && s.underWay > 2)).toEqual([]);
    // Their bytes came with the open, before OpenSeadragon was built: the first decode did not wait for its frame.
    expect(jp2k.log[0]!.drawn).toBe(false);
    expect(jp2k.failed).toBe(0);
    // The browser decodes JPEG in a millisecond or two: those go to the workers while OpenSeadragon is being built.
    const jpeg = await decodesOnOpening(page, servers.slideUrl('CMU-1-Small-Region.svs'));
    expect(jpeg.log.filter((s) => s.codec === 'jpeg' && !s.drawn).length).toBeGreaterThan(0);
    expect(jpeg.failed).toBe(0);
  });

  test('the slide’s first request goes out before the decode workers are spawned; a codec the open names meanwhile reaches them', async ({
    harness: page,
    servers,
  }) => {
    const order = await page.evaluate(async (url) => {
      const w = window as any;
      const events: string[] = [];
      const { fetch: realFetch, Worker: RealWorker } = w;
      w.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
        events.push(
          `fetch ${String(input instanceof Request ? input.url : input)
            .split('/')
            .pop()}`,
        );
        return realFetch(input, init);
      };
      w.Worker = class extends RealWorker {
        constructor(...args: ConstructorParameters<typeof Worker>) {
          events.push('worker');
          super(...args);
        }
      };
      try {
        const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false });
        const loaded = new Promise<void>((resolve) => {
          const check = () => (viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
          check();
        });
        await loaded;
        const failed = viewer.stats().tilesFailed;
        viewer.destroy();
        return { events, failed };
      } finally {
        w.fetch = realFetch;
        w.Worker = RealWorker;
      }
    }, servers.slideUrl('aperio-jp2k-33005-256.svs'));
    expect(order.events[0]).toBe('fetch aperio-jp2k-33005-256.svs');
    expect(order.events.indexOf('worker')).toBeGreaterThan(0);
    expect(order.failed).toBe(0);
  });

  test('a viewer destroyed while its home view is still being fetched ahead: no error, no tile drawn after', async ({ harness: page, servers }) => {
    const loadedAfter = await page.evaluate(async (url) => {
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false });
      let loaded = 0;
      viewer.on('tile-loaded', () => loaded++);
      viewer.destroy();
      const before = loaded;
      await new Promise((r) => setTimeout(r, 1500));
      return loaded - before;
    }, servers.slideUrl('aperio-jpeg-ycbcr-240.svs'));
    // The harness fixture fails the test on any page error (an unhandled rejection from the reads ahead among them).
    expect(loadedAfter).toBe(0);
  });

  test('a worker that dies on a tile read ahead: the tile is asked for again and shown, the worker replaced, no banner', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (url) => {
      const pool = harness.poolWithCrashingFirstWorker({ size: 2 });
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { pool, navigator: false, prefetch: false });
      while (!viewer.osd.world.getItemAt(0)?.getFullyLoaded()) await new Promise((r) => setTimeout(r, 50));
      const stats = viewer.stats();
      const bannerHidden = (document.querySelector('.wsi-error') as HTMLElement).hidden;
      viewer.destroy();
      pool.terminate();
      return { failed: stats.tilesFailed, replaced: stats.decoder.workersReplaced, bannerHidden };
    }, servers.slideUrl('aperio-jpeg-ycbcr-240.svs'));
    expect(result.failed).toBeGreaterThan(0);
    expect(result.replaced).toBe(1);
    expect(result.bannerHidden).toBe(true);
  });

  test('a probe sent early (sendEarlyProbe, cross-origin) is the open’s first request: asked for once, without a preflight', async ({
    harness: page,
    servers,
  }) => {
    const { server, url } = servers.slides.real;
    const before = server.log.length;
    const preflights = server.preflights.length;
    const drawn = await tilesLoadedOnce(page, `${url}/CMU-1-Small-Region.svs`, true);
    expect(drawn).toBeGreaterThan(0);
    const log = server.log.slice(before).filter((r) => r.path === '/CMU-1-Small-Region.svs');
    expect(log.filter((r) => r.range === 'bytes=0-8191')).toHaveLength(1);
    expect(server.preflights.slice(preflights)).toEqual([]);
  });

  test('the early script sends the tail too once the first answer tells the size (cross-origin): the open takes both over', async ({
    harness: page,
    servers,
  }) => {
    const { server, url } = servers.slides.real;
    const name = 'CMU-1-Small-Region.svs';
    const size = statSync(fixture(name).path).size;
    const tail = `bytes=${tailRequest(size).offset}-${size - 1}`;
    const before = server.log.length;
    const preflights = server.preflights.length;
    const ranges = () =>
      server.log
        .slice(before)
        .filter((r) => r.path === `/${name}`)
        .map((r) => r.range);
    await page.evaluate((slide) => harness.sendEarlyProbe(slide), `${url}/${name}`);
    // Both ends asked for before the viewer exists: the page's code had not loaded yet, as far as the slide knows.
    await expect.poll(ranges).toEqual(['bytes=0-8191', tail]);
    const drawn = await tilesLoadedOnce(page, `${url}/${name}`, false);
    expect(drawn).toBeGreaterThan(0);
    const asked = ranges();
    expect(asked.filter((r) => r === 'bytes=0-8191')).toHaveLength(1);
    expect(asked.filter((r) => r === tail)).toHaveLength(1);
    expect(asked.some((r) => r?.startsWith('bytes=-'))).toBe(false);
    expect(server.preflights.slice(preflights)).toEqual([]);
  });
});
