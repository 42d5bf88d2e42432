import { describe, expect, it } from 'vitest';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { readRegion } from '../src/sidecar/render.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { referenceJson, referencePng } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';
import { openFixture } from './support/open-fixture.js';

interface NdpiReference {
  levels: Array<{ width: number; height: number; downsample: number; tile: [number, number]; tiff_page: number | null }>;
  mpp_x: number;
  mpp_y: number;
  objective_power: string;
  properties: Record<string, string>;
  associated: Record<string, [number, number]>;
  reference_regions: Array<{ level: number; x: number; y: number; width: number; height: number; png: string }>;
}

const NAME = 'test3-TRITC-2-560.ndpi';
const ref = referenceJson<NdpiReference>(NAME, 'ndpi');
/** The JSON's `png` paths are relative to reference/ndpi/. */
const ndpiPng = (png: string) => referencePng(`ndpi/${png}`);
const codecs = nodeCodecs();

describe('Hamamatsu NDPI against OpenSlide', () => {
  it('opens with OpenSlide’s levels, downsamples, MPP, objective power, macro and properties', async () => {
    const slide = await openFixture(NAME);
    expect(slide.format).toBe('hamamatsu-ndpi');
    expect(slide.levels.map((l) => [l.width, l.height, l.downsample])).toEqual(ref.levels.map((l) => [l.width, l.height, l.downsample]));
    // OpenSlide's tiles are the restart intervals; ours are runs of them that tile the level.
    expect(slide.levels.map((l) => [l.restartInterval!.width, l.restartInterval!.height])).toEqual(ref.levels.map((l) => l.tile));
    for (const level of slide.levels) {
      expect(level.tileWidth % level.restartInterval!.width).toBe(0);
      expect(level.tileHeight % level.restartInterval!.height).toBe(0);
      expect(level.tilesX).toBe(Math.ceil(level.width / level.tileWidth));
      expect(level.tilesY).toBe(Math.ceil(level.height / level.tileHeight));
    }
    expect(slide.mpp).toEqual({ x: ref.mpp_x, y: ref.mpp_y });
    expect(String(slide.magnification)).toBe(ref.objective_power);
    expect([...slide.associated]).toEqual(Object.keys(ref.associated));
    expect(slide.associatedSize('macro')).toEqual({ width: ref.associated.macro![0], height: ref.associated.macro![1] });
    const { 'openslide.quickhash-1': _hash, ...expected } = ref.properties;
    expect(slide.properties).toEqual(expected);
  });

  // Levels 4–6 have no page: OpenSlide makes them with libjpeg's DCT scaling of the smallest page, we by averaging
  // blocks of its decode. The two filters differ by at most 6 levels here (mean 0.31–0.39), within JPEG tolerance.
  for (const region of ref.reference_regions) {
    it(`level ${region.level} region at (${region.x}, ${region.y}) equals read_region within JPEG tolerance`, async () => {
      const slide = await openFixture(NAME);
      const ours = await readRegion(slide, region.level, region.x, region.y, region.width, region.height);
      const d = difference(rgbaToRgb(ours.width, ours.height, ours.data), readPngRgb(ndpiPng(region.png)));
      expect(withinTolerance('jpeg', d), `mean ${d.mean}, max ${d.max}`).toBe(true);
    });
  }

  it('the macro image equals OpenSlide’s', async () => {
    const slide = await openFixture(NAME);
    const image = await codecs.decodeImage(await slide.readAssociated('macro'));
    const rgb = new Uint8Array(image.width * image.height * 3);
    for (let i = 0; i < image.width * image.height; i++) rgb.set(image.data.subarray(i * 4, i * 4 + 3), i * 3);
    const d = difference({ width: image.width, height: image.height, rgb }, readPngRgb(ndpiPng(`${NAME}/associated-macro.png`)));
    expect(withinTolerance('jpeg', d), `mean ${d.mean}, max ${d.max}`).toBe(true);
  });
});
