import { describe, expect, it } from 'vitest';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { fixturesOf, referenceJson, referencePng } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';
import { openFixture } from './support/open-fixture.js';

interface OmeReference {
  is_ome: boolean;
  ome: { images: Array<{ pixels: Record<string, string>; channels: Array<{ name: string | null; samples_per_pixel: string }> }> };
  levels: Array<{ width: number; height: number; tile: [number, number]; channels_as_pages: number; compression: number; downsample: number }>;
  reference_tiles: Array<{ level: number; channel: number | null; x: number; y: number; width: number; height: number; png: string }>;
}

const codecs = nodeCodecs();

describe('OME-TIFF SubIFD pyramids against tifffile', () => {
  for (const f of fixturesOf('ome')) {
    const ref = referenceJson<OmeReference>(f.name, 'ome');
    const pixels = ref.ome.images[0]!.pixels;
    const separate = ref.levels[0]!.channels_as_pages > 1;

    it(`${f.name}: format, every SubIFD level, MPP and ${separate ? 'channels as planes' : 'one RGB image'}`, async () => {
      const slide = await openFixture(f.name);
      expect(slide.format).toBe('ome-tiff');
      expect(slide.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight])).toEqual(ref.levels.map((l) => [l.width, l.height, ...l.tile]));
      // Downsamples as OpenSlide defines them (the mean of both axes' ratios; tifffile gives the width's).
      const [w0, h0] = [ref.levels[0]!.width, ref.levels[0]!.height];
      for (const [i, l] of slide.levels.entries()) expect(l.downsample).toBeCloseTo((w0 / ref.levels[i]!.width + h0 / ref.levels[i]!.height) / 2, 12);
      expect(slide.mpp ?? null).toEqual(pixels.PhysicalSizeX ? { x: Number(pixels.PhysicalSizeX), y: Number(pixels.PhysicalSizeY) } : null);
      expect(slide.properties['ome.Pixels.SizeC']).toBe(pixels.SizeC);
      if (separate) {
        expect(slide.channels?.map((c) => [c.name, c.bitsPerSample])).toEqual(ref.ome.images[0]!.channels.map((c, i) => [c.name ?? `Channel ${i + 1}`, 8]));
        await expect(slide.readTile(0, 0, 0, { channel: ref.levels[0]!.channels_as_pages })).rejects.toMatchObject({ code: 'out_of_bounds' });
      } else {
        expect(slide.channels).toBeUndefined();
      }
    });

    it(`${f.name}: every reference tile of every level and channel equals tifffile's (exact for Deflate, JPEG tolerance for JPEG)`, async () => {
      const slide = await openFixture(f.name);
      expect(ref.reference_tiles.length).toBeGreaterThan(0);
      for (const t of ref.reference_tiles) {
        const tile = await slide.readTile(t.level, t.x, t.y, t.channel === null ? {} : { channel: t.channel });
        const image = await codecs.decode(tile);
        const d = difference(rgbaToRgb(image.width, image.height, image.data), readPngRgb(referencePng(`ome/${t.png}`)));
        expect(withinTolerance(ref.levels[t.level]!.compression, d), `${t.png}: max ${d.max}, mean ${d.mean}`).toBe(true);
      }
    });
  }
});
