import type { Page } from '@playwright/test';
import { decode } from 'fast-png';
import { FaultProxy, type Fault } from '../test/support/fault-proxy.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const SLIDE = 'CMU-1-Small-Region.svs';
/** Short back-off and timeouts so a test meets several faults in a second or two. */
const QUICK = { retry: { baseDelayMs: 20, maxDelayMs: 100 }, timeoutMs: 1_500 };

interface Shown {
  pixels: Uint8Array;
  stats: { tilesLoaded: number; tilesFailed: number; requests: number };
  /** The viewer's error banner, when shown. */
  banner: string | undefined;
}

/**
 * Opens the slide (through `url`), then lets the test break the network, then shows it in the viewer and waits
 * until every tile of the view has loaded or failed for good. The slide is opened before the viewer so faults
 * meet tile reads, not the directory reads.
 */
async function show(
  page: Page,
  url: string,
  options: { provider?: boolean; tileRetryMs?: number; attempts?: number } = {},
  between?: () => void,
): Promise<void> {
  await page.evaluate(
    async ({ url, quick, provider, attempts }) => {
      const w = window as any;
      w.wsiViewer?.destroy();
      w.urlRequests = 0;
      const source = provider
        ? harness.presignedUrlSource(
            'faulty:slide',
            async () => {
              w.urlRequests++;
              return { url, expiresAt: Date.now() + 3_600_000 };
            },
            { ...quick, retry: { ...quick.retry, attempts } },
          )
        : url;
      w.slide = await harness.openSlide(source, { persistentCache: false, http: { ...quick, retry: { ...quick.retry, attempts } } });
    },
    { url, quick: QUICK, provider: options.provider ?? false, attempts: options.attempts ?? 4 },
  );
  between?.();
  await page.evaluate(
    async ({ tileRetryMs }) => {
      const w = window as any;
      w.wsiViewer = await harness.createViewer(document.getElementById('viewer'), w.slide, {
        navigator: false,
        prefetch: false,
        tileRetryMs,
        osd: { animationTime: 0, drawer: 'canvas' },
      });
      // One image pixel per screen pixel at the centre: the overview and a dozen full-resolution tiles to fetch.
      const osd = w.wsiViewer.osd;
      const item = osd.world.getItemAt(0);
      osd.viewport.zoomTo(item.imageToViewportZoom(1), undefined, true);
      osd.viewport.panTo(item.imageToViewportCoordinates(1110, 1480), true);
    },
    { tileRetryMs: options.tileRetryMs ?? 60_000 },
  );
}

/** Waits until OpenSeadragon has nothing left to load for the view (failed tiles count as settled). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const osd = (window as any).wsiViewer.osd;
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    await new Promise<void>((resolve) => {
      let quiet = 0;
      const check = () => {
        const busy = osd.imageLoader.jobsInProgress > 0 || osd.imageLoader.jobQueue.length > 0;
        quiet = busy ? 0 : quiet + 1;
        if (quiet >= 5) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  });
}

async function shown(page: Page): Promise<Shown> {
  const pixels = decode(await page.locator('#viewer .openseadragon-canvas').first().screenshot()).data as Uint8Array;
  const state = await page.evaluate(() => {
    const w = window as any;
    const banner = document.querySelector('.wsi-error') as HTMLElement;
    return { stats: w.wsiViewer.stats(), banner: banner.hidden ? undefined : (banner.textContent ?? '') };
  });
  return { pixels, ...state };
}

async function fullyLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).wsiViewer.osd.world.getItemAt(0).getFullyLoaded(), undefined, { timeout: 30_000 });
  await settle(page);
}

test.describe('the viewer behind a failing network (fault-injecting proxy)', () => {
  let proxy: FaultProxy;
  let proxyUrl: string;
  let reference: Shown;

  test.beforeEach(async ({ harness: page, servers }) => {
    proxy = new FaultProxy(servers.slides.real.url);
    proxyUrl = `${await proxy.start()}/${SLIDE}`;
    // What the view looks like over a healthy network: every faulty run must end showing exactly this.
    await show(page, `${servers.slides.real.url}/${SLIDE}`);
    await fullyLoaded(page);
    reference = await shown(page);
    expect(reference.stats.tilesLoaded).toBeGreaterThan(0);
  });

  test.afterEach(async () => {
    await proxy.stop();
  });

  for (const [name, faults] of [
    [
      'a burst of 5xx answers',
      [
        { kind: 'status', status: 503 },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 500 },
      ],
    ],
    ['connection resets', [{ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' }]],
    ['a stalled connection', [{ kind: 'stall' }]],
    ['truncated bodies', [{ kind: 'truncate' }, { kind: 'truncate' }]],
    [
      'rate limiting',
      [
        { kind: 'status', status: 429 },
        { kind: 'status', status: 429 },
      ],
    ],
  ] as Array<[string, Fault[]]>) {
    test(`${name}: retried with back-off, every tile shown exactly, no error`, async ({ harness: page }) => {
      await show(page, proxyUrl, {}, () => proxy.inject(...faults));
      await fullyLoaded(page);
      const result = await shown(page);
      expect(proxy.pending).toBe(0);
      expect(proxy.log.filter((r) => r.fault).length).toBe(faults.length);
      expect(result.stats.tilesFailed).toBe(0);
      expect(result.banner).toBeUndefined();
      expect(Buffer.compare(Buffer.from(result.pixels), Buffer.from(reference.pixels))).toBe(0);
    });
  }

  test('an expired presigned URL (403) is renewed and the tiles load', async ({ harness: page }) => {
    await show(page, proxyUrl, { provider: true }, () => proxy.inject({ kind: 'status', status: 403 }));
    await fullyLoaded(page);
    const result = await shown(page);
    expect(await page.evaluate(() => (window as any).urlRequests)).toBe(2);
    expect(result.stats.tilesFailed).toBe(0);
    expect(Buffer.compare(Buffer.from(result.pixels), Buffer.from(reference.pixels))).toBe(0);
  });

  for (const [name, fault, code] of [
    ['a server that answers 200 with the whole file', { kind: 'ignore-range' }, 'range_unsupported'],
    ['an object replaced mid-session (new ETag)', { kind: 'etag', etag: '"v2"' }, 'object_changed'],
  ] as Array<[string, Fault, string]>) {
    test(`${name}: the tile fails with ${code} and a banner, never with wrong pixels`, async ({ harness: page }) => {
      await show(page, proxyUrl, {}, () => proxy.inject(fault));
      await settle(page);
      const result = await shown(page);
      expect(result.stats.tilesFailed).toBeGreaterThanOrEqual(1);
      expect(result.banner).toContain(`(${code})`);
      expect(result.banner).toContain(code === 'object_changed' ? 'Reopen the slide' : 'supports Range');
      // Not retried: the same answer would come back.
      expect(proxy.log.filter((r) => r.fault).length).toBe(1);
    });
  }

  test('a network that goes down: tiles fail after their retries, then load by themselves when it is back', async ({ harness: page }) => {
    await show(page, proxyUrl, { tileRetryMs: 300, attempts: 2 }, () => (proxy.down = true));
    await page.waitForFunction(() => (window as any).wsiViewer.stats().tilesFailed > 0, undefined, { timeout: 30_000 });
    const during = await shown(page);
    expect(during.banner).toContain('(http_503)');
    proxy.down = false;
    // Recovered once the banner goes: every failed tile has loaded since. The view counts as fully loaded earlier, while
    // the tiles that failed last still wait out their pause, and a screenshot then would race their arrival.
    await page.waitForFunction(() => (document.querySelector('.wsi-error') as HTMLElement).hidden, undefined, { timeout: 30_000 });
    await fullyLoaded(page);
    const after = await shown(page);
    expect(after.banner).toBeUndefined();
    expect(Buffer.compare(Buffer.from(after.pixels), Buffer.from(reference.pixels))).toBe(0);
  });
});

test.describe('telling a failed network from a missing CORS rule', () => {
  test('resets that meet the CORS check too are a network failure, retried: never reported as cors_blocked', async ({ harness: page, servers }) => {
    const proxy = new FaultProxy(servers.slides.real.url);
    try {
      const url = `${await proxy.start()}/${SLIDE}`;
      await page.evaluate(
        async ({ url, quick }) => {
          const source = new harness.HttpSource(url, quick);
          await source.read(0, 100);
          (window as any).source = source;
        },
        { url, quick: QUICK },
      );
      const before = proxy.log.length;
      // Chromium sends a request again by itself when a reused connection is reset before answering, so the read
      // meets two resets; the check that follows a fetch without an answer (a CORS request, then an opaque one) meets
      // the third. A CORS request failing where an opaque one gets through is what a server without a CORS rule looks
      // like, once: this read used to fail for good with cors_blocked (network-faults' "connection resets" did, now
      // and then, on CI).
      proxy.inject({ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' });
      const outcome = await page.evaluate(async () => {
        try {
          return { bytes: ((await (window as any).source.read(200_000, 1_000)) as Uint8Array).length };
        } catch (e) {
          return { code: (e as { code?: string }).code ?? String(e) };
        }
      });
      expect(outcome).toEqual({ bytes: 1_000 });
      expect(proxy.pending).toBe(0);
      // The check's CORS request met the last reset.
      expect(
        proxy.log
          .slice(before)
          .map((r) => `${r.range} ${r.fault ?? 'answered'}`)
          .slice(0, 3),
      ).toEqual(['bytes=200000-200999 reset', 'bytes=200000-200999 reset', 'bytes=0-0 reset']);
    } finally {
      await proxy.stop();
    }
  });
});
