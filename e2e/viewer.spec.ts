import { difference, rgbaToRgb, withinTolerance } from '../test/support/compare.js';
import { fixture, referencePng, references, type ReferenceTile } from '../test/support/fixtures.js';
import { crop, readPngRgb } from '../test/support/images.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

/** Tiles to check per fixture: one inside level 0 at full zoom, and the coarsest level (the overview) at 1:1. */
function checks(tiles: ReferenceTile[]): ReferenceTile[] {
  const full = tiles.find((t) => t.level === 0 && t.width === tiles[0]!.width && t.height === tiles[0]!.height && (t.x > 0 || t.y > 0)) ?? tiles[0]!;
  const coarsest = tiles.reduce((a, b) => (b.level > a.level ? b : a));
  return coarsest.level > 0 ? [full, coarsest] : [full];
}

/** The reference a check compares with: the stored pixels, or for a slide with a profile, colour managed, LittleCMS's sRGB of them. */
const expectedPng = (file: string, t: ReferenceTile, colour: 'icc' | 'none') =>
  colour === 'icc' && fixture(file).kinds.includes('icc') ? referencePng(`icc/${t.png.replace(/\.png$/, '.srgb.png')}`) : referencePng(t.png);

const cases = references
  .filter((r) => r.reference_tiles?.length)
  .flatMap((ref) => (fixture(ref.file).kinds.includes('icc') ? (['none', 'icc'] as const) : (['icc'] as const)).map((colour) => ({ ref, colour })));

test.describe('the viewer draws what OpenSlide shows', () => {
  for (const { ref, colour } of cases) {
    const title = fixture(ref.file).kinds.includes('icc')
      ? `${ref.file} (colour ${colour === 'icc' ? 'managed: LittleCMS sRGB' : 'off: stored values'})`
      : ref.file;
    test(title, async ({ harness: page, servers }) => {
      const url = servers.slideUrl(ref.file);
      for (const t of checks(ref.reference_tiles!)) {
        const base64: string = await page.evaluate(
          async ({ url, t, colour }) => {
            const element = document.getElementById('viewer')!;
            element.replaceChildren();
            // Exact pixels: draw only the level whose pixels map 1:1 to the screen, with the WebGL drawer that
            // hardware-accelerated browsers use (here it runs in software, where the viewer would pick canvas).
            const viewer = await harness.createViewer(element, url, {
              navigator: false,
              colour,
              osd: { drawer: 'webgl', minPixelRatio: 0.9, constrainDuringPan: false, visibilityRatio: 0, animationTime: 0, minZoomImageRatio: 0.001 },
            });
            const osd = viewer.osd;
            const item = osd.world.getItemAt(0);
            const level = viewer.slide.levels[t.level];
            const scaleX = viewer.slide.width / level.width;
            const canvas: HTMLCanvasElement = osd.drawer.canvas;
            // Put the tile's top-left corner at the canvas origin, one level pixel per screen pixel (levels are drawn at their width ratio).
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
            const data = canvas.getContext('2d')!.getImageData(0, 0, Math.min(t.width, canvas.width), Math.min(t.height, canvas.height)).data;
            viewer.destroy();
            let s = '';
            for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
            return btoa(s);
          },
          { url, t, colour },
        );
        // A tile larger than the 1280×800 canvas is compared where it is visible.
        const [w, h] = [Math.min(t.width, 1280), Math.min(t.height, 800)];
        const drawn = rgbaToRgb(w, h, Buffer.from(base64, 'base64'));
        const d = difference(drawn, crop(readPngRgb(expectedPng(ref.file, t, colour)), w, h));
        if (process.env.WSI_DEBUG_DIR) {
          const sharp = (await import('sharp')).default;
          await sharp(Buffer.from(drawn.rgb), { raw: { width: w, height: h, channels: 3 } })
            .png()
            .toFile(`${process.env.WSI_DEBUG_DIR}/${t.png.replace('/', '_')}`);
        }
        expect(withinTolerance(ref.tiff_pages![0]!.compression, d), `${t.png}: max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
      }
    });
  }
});
