import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const CMU = 'CMU-1-Small-Region.svs';

/** Opens CMU-1-Small-Region in the harness viewer, kept as `window.viewer`. */
async function openCmu(page: Page, base: string): Promise<void> {
  await page.evaluate(async (url) => {
    (window as any).viewer = await harness.createViewer(document.getElementById('viewer'), url, { osd: { animationTime: 0 } });
  }, `${base}/${CMU}`);
}

test.describe('createViewer controls', () => {
  test('scale bar follows the zoom, keys zoom and go home, F does not flip the slide', async ({ harness: page, servers }) => {
    await openCmu(page, servers.slides.real.url);
    const bar = page.locator('.wsi-bar');
    await expect(bar).toBeVisible();
    const micrometres = async () => Number(await bar.getAttribute('data-micrometres-per-pixel'));
    // What the bar must say: the slide's 0.499 µm/px over the screen pixels per image pixel right now.
    const expected = () =>
      page.evaluate(() => {
        const osd = (window as any).viewer.osd;
        return 0.499 / osd.world.getItemAt(0).viewportToImageZoom(osd.viewport.getZoom(true));
      });
    const home = await expected();
    await expect.poll(async () => Math.abs((await micrometres()) / home - 1)).toBeLessThan(0.001);
    // At home the 2220-px-wide slide (0.499 µm/px) fits the 800-px-high view: about 1.85 µm per screen pixel.
    expect(home).toBeGreaterThan(1.5);
    expect(home).toBeLessThan(2.5);
    await expect(bar).toContainText(/µm|mm/);

    await page.locator('.wsi-osd > .openseadragon-container > .openseadragon-canvas').click({ position: { x: 640, y: 400 } });
    await page.keyboard.press('+');
    await page.waitForTimeout(100);
    const zoomed = await micrometres();
    expect(zoomed).toBeLessThan(home * 0.9);
    await expect.poll(async () => Math.abs((await micrometres()) / (await expected()) - 1)).toBeLessThan(0.001);
    const flipped = await page.evaluate(() => (window as any).viewer.osd.viewport.getFlip());
    await page.keyboard.press('f');
    expect(await page.evaluate(() => (window as any).viewer.osd.viewport.getFlip())).toBe(flipped);
    await page.keyboard.press('0');
    await expect.poll(async () => (await micrometres()) > zoomed * 1.5).toBe(true);
    await expect.poll(async () => Math.abs((await micrometres()) / (await expected()) - 1)).toBeLessThan(0.001);
  });

  test('the navigator: bottom right, holding the slide when createViewer resolves, following the view, and a click in it pans the view', async ({
    harness: page,
    servers,
  }) => {
    await openCmu(page, servers.slides.real.url);
    const state = () =>
      page.evaluate(() => {
        const osd = (window as any).viewer.osd;
        const item = osd.navigator?.world.getItemAt(0);
        return {
          items: osd.navigator?.world.getItemCount() ?? 0,
          sameSource: item?.source === osd.world.getItemAt(0).source,
          loaded: item?.getFullyLoaded() ?? false,
          centreX: osd.viewport.getCenter(true).x,
        };
      });
    // Built a task after the viewer (see addNavigator), yet there when createViewer resolves, with the slide in it.
    const resolved = await state();
    expect(resolved.items).toBe(1);
    expect(resolved.sameSource).toBe(true);
    const navigator = page.locator('.wsi-osd .navigator');
    await expect(navigator).toBeVisible();
    const box = (await navigator.boundingBox())!;
    const view = (await page.locator('.wsi-osd').boundingBox())!;
    expect(box.x + box.width).toBeGreaterThan(view.x + view.width * 0.8);
    expect(box.y + box.height).toBeGreaterThan(view.y + view.height * 0.8);
    await expect.poll(async () => (await state()).loaded).toBe(true);

    // Zoomed in, the navigator's outline of the view shrinks.
    const region = page.locator('.wsi-osd .navigator .displayregion');
    const homeWidth = (await region.boundingBox())!.width;
    await page.evaluate(() => (window as any).viewer.osd.viewport.zoomBy(4, undefined, true));
    await expect.poll(async () => (await region.boundingBox())!.width).toBeLessThan(homeWidth / 2);

    // A click near the navigator's left edge moves the view there.
    const before = (await state()).centreX;
    await navigator.click({ position: { x: 6, y: box.height / 2 } });
    await expect.poll(async () => (await state()).centreX).toBeLessThan(before - 0.1);
  });

  test('navigator: false leaves the navigator out', async ({ harness: page, servers }) => {
    await page.evaluate(async (url) => {
      (window as any).viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false });
    }, `${servers.slides.real.url}/${CMU}`);
    expect(await page.evaluate(() => (window as any).viewer.osd.navigator ?? null)).toBeNull();
    await expect(page.locator('.wsi-osd .navigator')).toHaveCount(0);
  });

  test('full screen: the button and the F key put the viewer on the whole screen and take it back', async ({ harness: page, servers }) => {
    await openCmu(page, servers.slides.real.url);
    const fullScreen = () => page.evaluate(() => document.fullscreenElement?.className ?? null);
    const button = page.locator('.wsi-tools button[data-action="full-screen"]');
    await expect(button).toHaveAttribute('title', 'Full screen (F)');
    await button.click();
    await expect.poll(fullScreen).toMatch(/\bwsi-root\b/);
    await button.click();
    await expect.poll(fullScreen).toBeNull();
    await page.locator('.wsi-osd > .openseadragon-container > .openseadragon-canvas').click({ position: { x: 640, y: 400 } });
    await page.keyboard.press('f');
    await expect.poll(fullScreen).toMatch(/\bwsi-root\b/);
    await page.keyboard.press('f');
    await expect.poll(fullScreen).toBeNull();
  });

  test('the panel shows metadata and decodes the label on demand, never into the pyramid', async ({ harness: page, servers }) => {
    await openCmu(page, servers.slides.real.url);
    const panel = page.locator('.wsi-panel');
    await expect(panel).toBeHidden();
    await page.locator('.wsi-tools button[data-action="info"]').click();
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('aperio-svs');
    await expect(panel).toContainText('0.499');
    await expect(panel).toContainText('F full screen');
    await panel.locator('button[data-associated="label"]').click();
    const label = panel.locator('canvas[data-associated="label"]');
    await expect(label).toBeVisible();
    expect(await label.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([387, 463]);
    expect(await page.evaluate(() => (window as any).viewer.osd.world.getItemCount())).toBe(1);
  });

  test('the viewport is kept in the URL hash and restored from it', async ({ harness: page, servers }) => {
    const url = `${servers.slides.real.url}/${CMU}`;
    await page.evaluate(async (url) => {
      (window as any).viewer = await harness.createViewer(document.getElementById('viewer'), url, { hashViewport: true, osd: { animationTime: 0 } });
      const osd = (window as any).viewer.osd;
      const item = osd.world.getItemAt(0);
      osd.viewport.zoomTo(item.imageToViewportZoom(0.5), undefined, true);
      osd.viewport.panTo(item.imageToViewportCoordinates(1000, 1500), true);
      osd.viewport.applyConstraints(true);
    }, url);
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/x=\d+&y=\d+&z=0\.5/);
    const hash = await page.evaluate(() => location.hash);
    await page.reload();
    await expect(page).toHaveTitle('ready');
    expect(await page.evaluate(() => location.hash)).toBe(hash);
    const restored = await page.evaluate(async (url) => {
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { hashViewport: true, osd: { animationTime: 0 } });
      const item = viewer.osd.world.getItemAt(0);
      const centre = item.viewportToImageCoordinates(viewer.osd.viewport.getCenter(true));
      return { x: centre.x, y: centre.y, zoom: item.viewportToImageZoom(viewer.osd.viewport.getZoom(true)) };
    }, url);
    const expected = Object.fromEntries(new URLSearchParams(hash.slice(1)));
    expect(restored.x).toBeCloseTo(Number(expected.x), 0);
    expect(restored.y).toBeCloseTo(Number(expected.y), 0);
    expect(restored.zoom).toBeCloseTo(Number(expected.z), 3);
  });

  test('a tile that cannot be decoded raises tile-failed with its SlideError and a banner', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (url) => {
      const failures: Array<{ code: string }> = [];
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { osd: { animationTime: 0 } });
      viewer.on('tile-failed', (e: { error: { code: string } }) => failures.push({ code: e.error.code }));
      await new Promise((r) => setTimeout(r, 1500));
      return { failures, banner: document.querySelector('.wsi-error')?.textContent ?? '' };
    }, `${servers.slides.real.url}/unreadable.svs`);
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.failures[0]!.code).toBe('corrupt');
    expect(result.banner).toMatch(/could not be shown/);
  });

  test('listeners given to createViewer (on) hear what comes before it resolves: opened, and every failed tile, those read ahead too', async ({
    harness: page,
    servers,
  }) => {
    const result = await page.evaluate(async (url) => {
      const heard = { opened: 0, failed: 0, openedLate: 0 };
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, {
        osd: { animationTime: 0 },
        on: { opened: () => heard.opened++, 'tile-failed': () => heard.failed++ },
      });
      // Added after createViewer resolved: `opened` has been raised already.
      viewer.on('opened', () => heard.openedLate++);
      await new Promise((r) => setTimeout(r, 1500));
      return { ...heard, counted: viewer.stats().tilesFailed };
    }, `${servers.slides.real.url}/unreadable.svs`);
    expect(result.opened).toBe(1);
    expect(result.openedLate).toBe(0);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.failed).toBe(result.counted);
  });
});
