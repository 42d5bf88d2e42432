import type { Page } from '@playwright/test';
import { rgbaToRgb } from '../../test/support/compare.js';
import type { RgbImage } from '../../test/support/images.js';

declare const harness: any;

/** A tile's place and size in a level: what a reference tile says of itself. */
export interface TileAt {
  level: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tiles to check per fixture: one inside level 0 at full zoom, and the coarsest level (the overview) at 1:1. */
export function tilesToCheck<T extends TileAt>(tiles: T[]): T[] {
  const full = tiles.find((t) => t.level === 0 && t.width === tiles[0]!.width && t.height === tiles[0]!.height && (t.x > 0 || t.y > 0)) ?? tiles[0]!;
  const coarsest = tiles.reduce((a, b) => (b.level > a.level ? b : a));
  return coarsest.level > 0 ? [full, coarsest] : [full];
}

/**
 * What the harness viewer draws of one tile at 1:1 (one level pixel per screen pixel, the tile's top-left corner at
 * the canvas origin), as RGB values in `space`: the part of the tile inside the 1280×800 canvas. `options` go to
 * createViewer (colour, colourSpace, OpenSeadragon's drawer). With `from: 'drawer input'`, the tile as the drawer was
 * handed it (its cached canvas) instead of the screen: the canvas drawer stretches tiles by a pixel on screen. With
 * `from: 'tile-drawing handler'`, the tile's context as a 'tile-drawing' handler is handed it. With
 * `from: 'canvas after a lost context'`, the screen after the WebGL drawer has recreated its context as it does when a
 * draw meets a lost one.
 */
export async function drawnTile(
  page: Page,
  url: string,
  t: TileAt,
  options: object,
  space: 'srgb' | 'display-p3' = 'srgb',
  from: 'canvas' | 'drawer input' | 'tile-drawing handler' | 'canvas after a lost context' = 'canvas',
): Promise<RgbImage> {
  const base64: string = await page.evaluate(
    async ({ url, t, options, space, from }) => {
      const element = document.getElementById('viewer')!;
      element.replaceChildren();
      const given = options as { osd?: object };
      const viewer = await harness.createViewer(element, url, {
        navigator: false,
        ...options,
        osd: { minPixelRatio: 0.9, constrainDuringPan: false, visibilityRatio: 0, animationTime: 0, minZoomImageRatio: 0.001, ...given.osd },
      });
      const osd = viewer.osd;
      const item = osd.world.getItemAt(0);
      const level = viewer.slide.levels[t.level];
      const scaleX = viewer.slide.width / level.width;
      const canvas: HTMLCanvasElement = osd.drawer.canvas;
      // Levels are drawn at their width ratio.
      osd.viewport.zoomTo(item.imageToViewportZoom(1 / scaleX), undefined, true);
      const left = t.x * level.tileWidth * scaleX;
      const top = t.y * level.tileHeight * scaleX;
      const centre = item.imageToViewportCoordinates(left + (canvas.width / 2) * scaleX, top + (canvas.height / 2) * scaleX);
      osd.viewport.panTo(centre, true);
      // Let OpenSeadragon's update loop see the new viewport before asking whether it is fully loaded.
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      await new Promise<void>((resolve) => {
        const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 50));
        check();
      });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      if (from === 'canvas after a lost context') {
        if (!osd.drawer._recreateContext()) throw new Error('OpenSeadragon did not recreate its WebGL context');
        osd.forceRedraw();
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
      const width = Math.min(t.width, canvas.width);
      const height = Math.min(t.height, canvas.height);
      const drawn = item.getTilesToDraw().map((info: any) => info.tile);
      const tile = drawn.find((d: any) => viewer.tileSource.levelMap.toSlide(d.level) === t.level && d.x === t.x && d.y === t.y);
      let handed: CanvasRenderingContext2D | undefined;
      if (from === 'tile-drawing handler') {
        osd.addHandler('tile-drawing', (event: any) => {
          if (event.tile === tile) handed = event.rendered;
        });
        osd.forceRedraw();
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        if (!handed) throw new Error('no tile-drawing event for the tile');
      }
      const context: CanvasRenderingContext2D =
        from === 'drawer input' ? osd.drawer.getDataToDraw(tile) : from === 'tile-drawing handler' ? handed! : canvas.getContext('2d')!;
      const data = context.getImageData(0, 0, width, height, { colorSpace: space }).data;
      viewer.destroy();
      let s = '';
      for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
      return btoa(s);
    },
    { url, t, options, space, from },
  );
  return rgbaToRgb(Math.min(t.width, 1280), Math.min(t.height, 800), Buffer.from(base64, 'base64'));
}
