import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

/** Two slides of different resolution: CMU-1 at 0.499 µm per pixel, the NDPI at 0.228. */
const LEFT = 'CMU-1-Small-Region.svs';
const RIGHT = 'test3-TRITC-2-560.ndpi';

async function openGroup(page: Page, urls: string[]): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 640 });
  await page.evaluate(async (urls) => {
    const host = document.getElementById('viewer')!;
    host.style.display = 'flex';
    const elements = urls.map(() => {
      const el = document.createElement('div');
      el.style.cssText = 'flex:1;height:600px;position:relative';
      host.append(el);
      return el;
    });
    (window as any).group = await harness.createViewerGroup(elements, urls, { navigator: false, prefetch: false });
  }, urls);
}

/** Each view's centre in micrometres and its scale in screen pixels per micrometre. */
function views(page: Page): Promise<Array<{ x: number; y: number; scale: number }>> {
  return page.evaluate(() =>
    (window as any).group.viewers.map((v: any) => {
      const item = v.osd.world.getItemAt(0);
      const centre = item.viewportToImageCoordinates(v.osd.viewport.getCenter(true));
      const zoom = item.viewportToImageZoom(v.osd.viewport.getZoom(true));
      return { x: centre.x * v.slide.mpp.x, y: centre.y * v.slide.mpp.y, scale: zoom / v.slide.mpp.x };
    }),
  );
}

/** Moves one view as a user's drag or wheel would (animated), and waits until both views are at rest. */
async function move(page: Page, index: number, action: { readonly panBy?: readonly [number, number]; readonly zoomBy?: number }): Promise<void> {
  await page.evaluate(
    async ({ index, action }) => {
      const { viewers } = (window as any).group;
      const osd = viewers[index].osd;
      const resting = viewers.map((v: any) => new Promise<void>((resolve) => v.osd.addOnceHandler('animation-finish', () => resolve())));
      if (action.panBy) osd.viewport.panBy(new harness.OpenSeadragon.Point(...action.panBy));
      if (action.zoomBy) osd.viewport.zoomBy(action.zoomBy);
      await Promise.race([Promise.all(resting), new Promise((r) => setTimeout(r, 3000))]);
      await new Promise((r) => setTimeout(r, 50));
    },
    { index, action },
  );
}

/** How far apart, in screen pixels, the two views' centres are from where the offset puts them. */
async function misalignment(page: Page): Promise<number> {
  const [a, b] = await views(page);
  const [, offset] = await page.evaluate(() => (window as any).group.offsets());
  expect(b!.scale).toBeCloseTo(a!.scale, 9);
  return Math.hypot(b!.x - a!.x - offset.x, b!.y - a!.y - offset.y) * a!.scale;
}

test.describe('slides side by side (createViewerGroup)', () => {
  test('physical sync: two slides of different MPP stay on the same micrometre through pans and zooms in either view, from one decoder pool', async ({
    harness: page,
    servers,
  }) => {
    await openGroup(page, [servers.slideUrl(LEFT), servers.slideUrl(RIGHT)]);
    expect(await page.evaluate(() => (window as any).group.viewers.map((v: any) => v.slide.mpp.x))).toEqual([0.499, expect.closeTo(0.2282, 4)]);
    expect(await page.evaluate(() => (window as any).group.viewers.every((v: any) => v.pool === (window as any).group.pool))).toBe(true);
    expect(await misalignment(page)).toBeLessThanOrEqual(1);
    for (const [index, action] of [
      [0, { panBy: [0.05, 0.08] }],
      [1, { zoomBy: 2.5 }],
      [1, { panBy: [-0.02, 0.03] }],
      [0, { zoomBy: 0.7 }],
      [0, { panBy: [0.01, -0.04], zoomBy: 1.8 }],
    ] as const) {
      await move(page, index, action);
      expect(await misalignment(page), `after moving view ${index} by ${JSON.stringify(action)}`).toBeLessThanOrEqual(1);
    }
    const pixels = await page.evaluate(() =>
      (window as any).group.viewers.map((v: any) => v.osd.world.getItemAt(0).viewportToImageZoom(v.osd.viewport.getZoom(true))),
    );
    // Same µm per screen pixel: the finer slide is drawn at 0.228 / 0.499 of the coarser one's pixel zoom.
    expect(pixels[1] / pixels[0]).toBeCloseTo(0.2282 / 0.499, 3);
  });

  test('an offset set by the user (unlock, move one view, lock) is kept as either view moves', async ({ harness: page, servers }) => {
    await openGroup(page, [servers.slideUrl(LEFT), servers.slideUrl(RIGHT)]);
    const before = (await page.evaluate(() => (window as any).group.offsets()))[1];
    await page.evaluate(() => (window as any).group.setLocked(false));
    const [leftBefore] = await views(page);
    await move(page, 1, { panBy: [0.03, 0.02] });
    const [leftAfter] = await views(page);
    // Unlocked: the other view did not follow.
    expect(Math.hypot(leftAfter!.x - leftBefore!.x, leftAfter!.y - leftBefore!.y)).toBe(0);
    await page.evaluate(() => (window as any).group.setLocked(true));
    const offset = (await page.evaluate(() => (window as any).group.offsets()))[1];
    expect(Math.hypot(offset.x - before.x, offset.y - before.y)).toBeGreaterThan(10);
    for (const [index, action] of [
      [0, { panBy: [0.04, 0.01] }],
      [1, { zoomBy: 1.6 }],
    ] as const) {
      await move(page, index, action);
      expect(await misalignment(page)).toBeLessThanOrEqual(1);
      const kept = (await page.evaluate(() => (window as any).group.offsets()))[1];
      expect(kept).toEqual(offset);
    }
  });
});
