import type { Page } from '@playwright/test';

declare const harness: any;

/** Opens the slide in the viewer, waits until the view is fully drawn, and returns the viewer's statistics. */
export async function openAndSettle(page: Page, url: string): Promise<any> {
  return page.evaluate(async (url) => {
    const w = window as any;
    w.viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
    const osd = w.viewer.osd;
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    await new Promise<void>((resolve) => {
      const check = () => (osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
      check();
    });
    // The tiles the settled view draws: OpenSeadragon may load more or fewer coarse tiles on the way, as timing goes.
    const drawn = osd.world
      .getItemAt(0)
      .getTilesToDraw()
      .map((info: any) => `${info.tile.level}/${info.tile.x}/${info.tile.y}`)
      .sort();
    const stats = { ...w.viewer.stats(), drawn };
    // Let every cache write land before the page goes away.
    await w.viewer.slide.close();
    return stats;
  }, url);
}
