import { describe, expect, it } from 'vitest';
import { openFixture } from './support/open-fixture.js';
import { SlideError } from '../src/node.js';
import { references } from './support/fixtures.js';

/** OpenSlide's exception names, as the code we must give for the same file. */
const EXPECTED_ERRORS: Record<string, string> = {
  'broken.svs': 'not_tiff',
  'unopenable.tiff': 'unsupported_compression',
};

describe('every fixture opens as OpenSlide opens it', () => {
  for (const ref of references) {
    if (ref.openslide_error) {
      it(`${ref.file} fails as OpenSlide fails (${ref.openslide_error})`, async () => {
        const error = await openFixture(ref.file).catch((e: unknown) => e);
        expect(SlideError.is(error)).toBe(true);
        expect((error as SlideError).code).toBe(EXPECTED_ERRORS[ref.file]);
      });
      continue;
    }
    it(`${ref.file}: format, levels, MPP, objective power, associated images and properties`, async () => {
      const slide = await openFixture(ref.file);
      expect(slide.format).toBe(ref.vendor === 'aperio' ? 'aperio-svs' : 'generic-tiff');
      expect(slide.levels.length).toBe(ref.level_count);
      slide.levels.forEach((level, i) => {
        const expected = ref.levels![i]!;
        expect([level.width, level.height, level.tileWidth, level.tileHeight]).toEqual([expected.width, expected.height, ...expected.tile]);
        expect(level.downsample).toBeCloseTo(expected.downsample, 12);
        expect(level.tilesX).toBe(Math.ceil(expected.width / expected.tile[0]));
        expect(level.tilesY).toBe(Math.ceil(expected.height / expected.tile[1]));
      });
      expect(slide.width).toBe(ref.levels![0]!.width);
      expect(slide.mpp?.x ?? null).toBe(ref.mpp_x ?? null);
      expect(slide.mpp?.y ?? null).toBe(ref.mpp_y ?? null);
      expect(slide.magnification === undefined ? null : String(slide.magnification)).toBe(ref.objective_power ?? null);
      // The reference lists associated images only where OpenSlide could also decode them.
      if (ref.associated) expect([...slide.associated]).toEqual(Object.keys(ref.associated).sort());
      // Every property OpenSlide reports, with the same value; quickhash-1 hashes decoded pixels and is not computed here.
      const { 'openslide.quickhash-1': _hash, ...expected } = ref.properties!;
      const ours = Object.fromEntries(Object.entries(slide.properties).filter(([k]) => k in expected));
      expect(ours).toEqual(expected);
      expect(Object.keys(slide.properties).filter((k) => !(k in expected))).toEqual([]);
    });
  }
});
