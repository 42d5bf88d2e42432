import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const REMEMBERED = 'wsi-stream-drawer';

/** Opens a viewer on a fresh copy of the harness page; the WebGL contexts asked for meanwhile, and the drawer used. */
async function openCounting(page: Page, url: string): Promise<{ webglContexts: number; drawer: string; remembered: unknown }> {
  await page.reload();
  await expect(page).toHaveTitle('ready');
  return page.evaluate(async (url) => {
    let webglContexts = 0;
    const { getContext } = HTMLCanvasElement.prototype;
    HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, kind: string, ...rest: unknown[]) {
      if (kind.startsWith('webgl')) webglContexts++;
      return (getContext as (...a: unknown[]) => unknown).call(this, kind, ...rest);
    } as typeof getContext;
    try {
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false });
      const drawer = viewer.osd.drawer.getType();
      viewer.destroy();
      return { webglContexts, drawer, remembered: JSON.parse(localStorage.getItem('wsi-stream-drawer') ?? 'null') };
    } finally {
      HTMLCanvasElement.prototype.getContext = getContext;
    }
  }, url);
}

test.describe('the drawer probe', () => {
  test('is remembered for this browser: a reload draws with the same drawer without creating a WebGL context', async ({ harness: page, servers }) => {
    const url = servers.slideUrl('CMU-1-Small-Region.svs');
    const userAgent = await page.evaluate(() => navigator.userAgent);
    const first = await openCounting(page, url);
    expect(first.webglContexts).toBeGreaterThan(0);
    expect(first.remembered).toEqual({ userAgent, drawers: first.drawer === 'webgl' ? ['webgl', 'canvas'] : ['canvas'] });
    const again = await openCounting(page, url);
    // The tests run Chromium with --disable-gpu (CHROMIUM_ARGS): WebGL is software or absent on every machine, so the
    // canvas drawer, and on reload no WebGL context asked for at all.
    expect(again).toEqual({ ...first, webglContexts: 0 });
    expect(first.drawer).toBe('canvas');
  });

  test('another browser version, or a damaged note, probes again and rewrites it', async ({ harness: page, servers }) => {
    const url = servers.slideUrl('CMU-1-Small-Region.svs');
    const userAgent = await page.evaluate(() => navigator.userAgent);
    for (const stored of [
      JSON.stringify({ userAgent: 'Chrome/1', drawers: ['webgl', 'canvas'] }),
      '{not json',
      JSON.stringify({ userAgent, drawers: ['vulkan'] }),
    ]) {
      await page.evaluate(([key, value]) => localStorage.setItem(key!, value!), [REMEMBERED, stored]);
      const opened = await openCounting(page, url);
      expect(opened.webglContexts, stored).toBeGreaterThan(0);
      expect(opened.drawer).toBe('canvas');
      expect(opened.remembered).toEqual({ userAgent, drawers: ['canvas'] });
    }
  });
});
