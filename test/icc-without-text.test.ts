import { describe, expect, it } from 'vitest';
import { withoutTextTags } from '../src/colour/icc-without-text.js';
import { littleCms } from '../src/colour/slide-colour.js';
import { NodeFileSource, openSlide } from '../src/node.js';
import { fixturesOf } from './support/fixtures.js';

/** A profile's tags: signature → its data. */
function tags(profile: Uint8Array): Map<string, number[]> {
  const view = new DataView(profile.buffer, profile.byteOffset, profile.byteLength);
  const out = new Map<string, number[]>();
  for (let i = 0; i < view.getUint32(128); i++) {
    const at = 132 + i * 12;
    const offset = view.getUint32(at + 4);
    out.set(String.fromCharCode(...profile.subarray(at, at + 4)), [...profile.subarray(offset, offset + view.getUint32(at + 8))]);
  }
  return out;
}

/** Every colour of a 0, 15 … 255 grid converted to sRGB by LittleCMS from `profile`. */
async function converted(profile: Uint8Array): Promise<Uint8Array> {
  const { lcms, constants } = await littleCms();
  const source = lcms.cmsOpenProfileFromMem(profile, profile.length);
  expect(source).toBeTruthy();
  const target = lcms.cmsCreate_sRGBProfile();
  const intent = lcms.cmsGetHeaderRenderingIntent(source);
  const transform = lcms.cmsCreateTransform(source, constants.TYPE_RGBA_8, target, constants.TYPE_RGBA_8, intent, 0);
  const steps = Array.from({ length: 18 }, (_, i) => Math.min(255, i * 15));
  const grid = new Uint8Array(steps.flatMap((r) => steps.flatMap((g) => steps.flatMap((b) => [r, g, b, 255]))));
  const out = lcms.cmsDoTransform(transform, grid, grid.length / 4);
  lcms.cmsDeleteTransform(transform);
  lcms.cmsCloseProfile(source);
  lcms.cmsCloseProfile(target);
  return out;
}

describe('an ICC profile without its text tags (what each converted JPEG tile carries)', () => {
  for (const f of fixturesOf('icc')) {
    it(`${f.name}: the text tags go, every other tag keeps its data, and LittleCMS converts exactly as from the whole profile`, async () => {
      const slide = await openSlide(new NodeFileSource(f.path));
      const profile = await slide.colourProfile!.read();
      await slide.close();
      const stripped = withoutTextTags(profile)!;
      const [before, after] = [tags(profile), tags(stripped)];
      expect(before.has('desc')).toBe(true);
      expect([...after.keys()]).toEqual([...before.keys()].filter((t) => !['desc', 'cprt', 'dmnd', 'dmdd', 'meta'].includes(t)));
      for (const [signature, data] of after) expect(data, signature).toEqual(before.get(signature));
      // The header's size field is the new size, and the tag data follows the table 4-byte aligned.
      expect(new DataView(stripped.buffer).getUint32(0)).toBe(stripped.length);
      expect(stripped.length % 4).toBe(0);
      expect(stripped.length).toBeLessThan(profile.length / 4);
      expect(await converted(stripped)).toEqual(await converted(profile));
    });
  }

  it('a tag table that cannot be read leaves the profile as it is (undefined)', () => {
    const profile = new Uint8Array(200);
    const view = new DataView(profile.buffer);
    expect(withoutTextTags(profile.subarray(0, 100))).toBeUndefined();
    view.setUint32(128, 1_000_000);
    expect(withoutTextTags(profile)).toBeUndefined();
    view.setUint32(128, 1);
    profile.set([0x72, 0x54, 0x52, 0x43], 132);
    view.setUint32(136, 150);
    view.setUint32(140, 60);
    expect(withoutTextTags(profile)).toBeUndefined();
    view.setUint32(140, 50);
    expect(withoutTextTags(profile)?.length).toBe(128 + 4 + 12 + 52);
  });
});
