import { difference, withinTolerance } from '../test/support/compare.js';
import { fixture, referencePng, references, type ReferenceTile } from '../test/support/fixtures.js';
import { crop, readPngRgb } from '../test/support/images.js';
import { drawnTile, tilesToCheck } from './support/drawn-tile.js';
import { expect, test } from './support/fixtures.js';

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
      for (const t of tilesToCheck(ref.reference_tiles!)) {
        // Exact pixels: draw only the level whose pixels map 1:1 to the screen, with the WebGL drawer that
        // hardware-accelerated browsers use (here it runs in software, where the viewer would pick canvas).
        const drawn = await drawnTile(page, url, t, { colour, osd: { drawer: 'webgl' } });
        // A tile larger than the 1280×800 canvas is compared where it is visible.
        const [w, h] = [drawn.width, drawn.height];
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
