import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { decode } from 'fast-png';
import { expect, test } from './support/fixtures.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DOCS = resolve(import.meta.dirname, '../docs');

async function openDemo(page: Page, pages: string, query = ''): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${pages}/demo/${query}`);
  await page.waitForFunction(() => (window as any).wsiViewer?.osd.world.getItemAt(0)?.getFullyLoaded(), null, { timeout: 30_000 });
  return errors;
}

function imageZoom(page: Page): Promise<number> {
  return page.evaluate(() => {
    const osd = (window as any).wsiViewer.osd;
    return osd.world.getItemAt(0).viewportToImageZoom(osd.viewport.getZoom(true));
  });
}

/** Touch points through the DevTools protocol: Playwright's touchscreen has one finger only. */
async function pinch(page: Page, centre: { x: number; y: number }, from: number, to: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const points = (d: number) => [
    { x: centre.x - d / 2, y: centre.y, id: 0 },
    { x: centre.x + d / 2, y: centre.y, id: 1 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(from) });
  for (let step = 1; step <= 10; step++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(from + ((to - from) * step) / 10) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Checks a docs/ screenshot shows a drawn slide (not a blank page) and writes it when asked (WSI_UPDATE_SCREENSHOT=1). */
async function screenshot(page: Page, name: string, outputPath: string): Promise<void> {
  const path = process.env.WSI_UPDATE_SCREENSHOT ? resolve(DOCS, name) : outputPath;
  mkdirSync(resolve(path, '..'), { recursive: true });
  const png = decode(await page.screenshot({ path }));
  const size = page.viewportSize()!;
  expect([png.width, png.height]).toEqual([size.width, size.height]);
  // The checked-in picture is the same size, so the docs keep showing what the test saw.
  const kept = decode(readFileSync(resolve(DOCS, name)));
  expect([kept.width, kept.height]).toEqual([size.width, size.height]);
  // Stained tissue (pink: red well above green) covers a good part of the picture.
  let tissue = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g] = [png.data[i * png.channels]!, png.data[i * png.channels + 1]!];
    if (r > 120 && r - g > 40) tissue++;
  }
  expect(tissue / (png.width * png.height)).toBeGreaterThan(0.05);
}

test.describe('the demo on a phone (390×844, touch): gestures and the docs screenshot', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('pinch zooms in and out, double-tap zooms in, the viewer covers the screen', async ({ page, servers }, testInfo) => {
    const errors = await openDemo(page, servers.pages);
    const viewer = (await page.locator('#viewer').boundingBox())!;
    expect(viewer.width * viewer.height).toBeGreaterThanOrEqual(0.9 * 390 * 844);
    await screenshot(page, 'phone-390x844.png', testInfo.outputPath('phone-390x844.png'));
    const centre = { x: 195, y: 422 };
    const start = await imageZoom(page);
    await pinch(page, centre, 60, 240);
    await expect.poll(() => imageZoom(page)).toBeGreaterThan(start * 1.5);
    const zoomed = await imageZoom(page);
    await pinch(page, centre, 240, 80);
    await expect.poll(() => imageZoom(page)).toBeLessThan(zoomed / 1.5);
    const before = await imageZoom(page);
    await page.touchscreen.tap(centre.x, centre.y);
    await page.waitForTimeout(60);
    await page.touchscreen.tap(centre.x, centre.y);
    await expect.poll(() => imageZoom(page)).toBeGreaterThan(before * 1.5);
    // The page itself never scrolled or zoomed: the gestures went to the viewer.
    expect(await page.evaluate(() => [window.scrollX, window.scrollY, window.visualViewport?.scale ?? 1])).toEqual([0, 0, 1]);
    expect(errors).toEqual([]);
  });
});

test.describe('the demo on a tablet (1024×768): the docs screenshot', () => {
  test.use({ viewport: { width: 1024, height: 768 } });
  test('list beside the viewer, the slide drawn', async ({ page, servers }, testInfo) => {
    const errors = await openDemo(page, servers.pages);
    // The list's thumbnails drawn and the navigator filled, as a user sees the page after a moment.
    const samples = JSON.parse(readFileSync(resolve(import.meta.dirname, '../demo/public/samples/index.json'), 'utf8')).length;
    await expect(page.locator('#browser .thumb canvas')).toHaveCount(samples, { timeout: 30_000 });
    await page.waitForFunction(() => (window as any).wsiViewer.osd.navigator.world.getItemAt(0)?.getFullyLoaded());
    await screenshot(page, 'tablet-1024x768.png', testInfo.outputPath('tablet-1024x768.png'));
    expect(errors).toEqual([]);
  });
});

test.describe('accessibility (axe-core, WCAG 2 A and AA)', () => {
  for (const theme of ['dark', 'light'] as const) {
    test(`no serious or critical violation on the demo with a slide open and its panel shown, ${theme} theme`, async ({ page, servers }) => {
      await page.addInitScript((t) => localStorage.setItem('wsi-theme', t), theme);
      await openDemo(page, servers.pages);
      await page.click('button[data-action="info"]');
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const result = await (window as any).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations
          .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
          .map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
      });
      expect(violations).toEqual([]);
    });
  }

  test('the controls are reached and worked by keyboard, with a visible focus ring; the viewer says what it shows', async ({ page, servers }) => {
    await openDemo(page, servers.pages);
    const region = page.locator('.wsi-root');
    await expect(region).toHaveAttribute('role', 'region');
    await expect(region).toHaveAttribute('aria-label', /CMU-1-Small-Region\.svs, \d+(\.\d+)?× /);
    const info = page.locator('button[data-action="info"]');
    await info.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(info).toBeFocused();
    expect(await info.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect(page.locator('.wsi-panel')).toBeVisible();
    await expect(info).toHaveAttribute('aria-expanded', 'true');
    // Zooming by keyboard changes the magnification the region announces.
    const before = await region.getAttribute('aria-label');
    // The view itself takes the keys (OpenSeadragon's canvas is in the tab order).
    expect(await page.evaluate(() => (window as any).wsiViewer.osd.canvas.tabIndex)).toBe(0);
    await page.evaluate(() => (window as any).wsiViewer.osd.canvas.focus());
    await page.keyboard.press('+');
    await expect.poll(() => region.getAttribute('aria-label')).not.toBe(before);
  });
});
