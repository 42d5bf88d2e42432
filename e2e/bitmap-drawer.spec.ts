import { difference, withinTolerance } from '../test/support/compare.js';
import { referencePng, references } from '../test/support/fixtures.js';
import { rgbaToRgb } from '../test/support/compare.js';
import { crop, readPngRgb } from '../test/support/images.js';
import { drawnTile, tilesToCheck } from './support/drawn-tile.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

/**
 * The canvas drawer (chosen where WebGL runs in software) draws the workers' ImageBitmaps as they come, where
 * OpenSeadragon's own copies each into a canvas first; a 'tile-drawing' handler still gets the 2D context
 * OpenSeadragon documents. The bitmaps it lets go of are closed (viewer-network.spec's memory test).
 */
test.describe('the canvas drawer and the workers’ bitmaps', () => {
  test('a first viewport draws each tile from its bitmap: no canvas made per tile', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (url) => {
      let canvases = 0;
      const create = document.createElement.bind(document);
      document.createElement = ((name: string, options?: ElementCreationOptions) => {
        if (name.toLowerCase() === 'canvas') canvases++;
        return create(name, options);
      }) as typeof document.createElement;
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { drawer: 'canvas' } });
      const item = viewer.osd.world.getItemAt(0);
      await new Promise<void>((resolve) => {
        const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const drawn = item.getTilesToDraw().map((info: any) => viewer.osd.drawer.getDataToDraw(info.tile));
      viewer.destroy();
      return { canvases, tiles: drawn.length, fromBitmaps: drawn.filter((d: any) => d.canvas instanceof ImageBitmap).length };
    }, servers.slideUrl('aperio-jpeg-ycbcr-240.svs'));
    expect(result.tiles).toBeGreaterThanOrEqual(12);
    expect(result.fromBitmaps).toBe(result.tiles);
    // The drawer's own canvas and the viewer's few (the WebGL probe, the label, the colour probe); OpenSeadragon's
    // conversion would add one per tile.
    expect(result.canvases).toBeLessThan(result.tiles / 2);
  });

  for (const file of ['CMU-1-Small-Region.svs', 'aperio-jpeg-ycbcr-240.svs']) {
    test(`${file}: a 'tile-drawing' handler is handed the tile's 2D context, holding OpenSlide's pixels`, async ({ harness: page, servers }) => {
      const ref = references.find((r) => r.file === file)!;
      const t = tilesToCheck(ref.reference_tiles!)[0]!;
      const handed = await drawnTile(page, servers.slideUrl(file), t, { osd: { drawer: 'canvas' } }, 'srgb', 'tile-drawing handler');
      const d = difference(handed, crop(readPngRgb(referencePng(t.png)), handed.width, handed.height));
      expect(withinTolerance(ref.tiff_pages![0]!.compression, d), `${t.png}: max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
    });
  }

  test('CMU-1’s overview, its thumbnail’s strips decoded as one JPEG, is handed to the drawer as OpenSlide reads the thumbnail', async ({
    harness: page,
    servers,
  }) => {
    // The home view of a single-level slide draws only the overview level: the embedded 574×768 thumbnail.
    const result = await page.evaluate(async (url) => {
      // The one JPEG decodes to the whole thumbnail: no canvas of its size to stack strips on.
      let stacks = 0;
      const Offscreen = window.OffscreenCanvas;
      window.OffscreenCanvas = class extends Offscreen {
        constructor(width: number, height: number) {
          super(width, height);
          if (width === 574 && height === 768) stacks++;
        }
      };
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { drawer: 'canvas' } });
      window.OffscreenCanvas = Offscreen;
      const { osd } = viewer;
      const item = osd.world.getItemAt(0);
      await new Promise<void>((resolve) => {
        const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      const tiles = item.getTilesToDraw().map((info: any) => info.tile);
      // OpenSeadragon numbers levels from the coarsest: the overview is its level 0.
      const overview = tiles.find((tile: any) => tile.level === 0);
      // Asked before a 'tile-drawing' handler exists: with one, the drawer hands out a 2D context instead.
      const bitmap = osd.drawer.getDataToDraw(overview)?.canvas;
      let handed: CanvasRenderingContext2D | undefined;
      osd.addHandler('tile-drawing', (event: any) => {
        if (event.tile === overview) handed = event.rendered;
      });
      osd.forceRedraw();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const { width, height } = handed!.canvas;
      const data = handed!.getImageData(0, 0, width, height).data;
      viewer.destroy();
      let s = '';
      for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
      return { stacks, tiles: tiles.length, fromBitmap: bitmap instanceof ImageBitmap, width, height, rgba: btoa(s) };
    }, servers.slideUrl('CMU-1-Small-Region.svs'));
    expect(result.tiles).toBe(1);
    expect(result.fromBitmap).toBe(true);
    expect(result.stacks).toBe(0);
    const drawn = rgbaToRgb(result.width, result.height, Buffer.from(result.rgba, 'base64'));
    const expected = readPngRgb(referencePng('CMU-1-Small-Region.svs/associated-thumbnail.png'));
    expect([drawn.width, drawn.height]).toEqual([expected.width, expected.height]);
    const d = difference(drawn, expected);
    expect(withinTolerance('jpeg', d), `max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
  });
});
