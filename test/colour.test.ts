import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NodeFileSource, openSlide } from '../src/node.js';
import { iccTransform } from '../src/colour/icc-transform.js';
import { littleCms, slideColourTransform } from '../src/colour/slide-colour.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { dicomFiles, displayP3Tiles, fixturesOf, REPO_ROOT, referenceJson, referencePng } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'wsi-colour-'));

interface IccReference {
  icc_profile: { description: string };
  reference_tiles: Array<{ level: number; x: number; y: number; png: string; srgb_png: string }>;
}

/** Path of a PNG named in an ICC reference JSON, relative to the folder that holds the JSON. */
const iccPng = (png: string) => referencePng(`icc/${png}`);

describe('tile --png --srgb: the slide ICC profile applied as LittleCMS applies it', () => {
  for (const f of fixturesOf('icc')) {
    const ref = referenceJson<IccReference>(f.name, 'icc');
    for (const t of ref.reference_tiles) {
      it(`${f.name} L${t.level} (${t.x}, ${t.y}) within 2 levels of LittleCMS's sRGB; without --srgb the stored values`, async () => {
        const managed = join(out, `${f.name}-${t.level}-${t.x}-${t.y}.srgb.png`);
        const stored = join(out, `${f.name}-${t.level}-${t.x}-${t.y}.png`);
        const at = [String(t.level), String(t.x), String(t.y)];
        const { stderr } = await run(process.execPath, [join(REPO_ROOT, 'bin/wsi-stream.js'), 'tile', f.path, ...at, '--png', '--srgb', '--out', managed]);
        expect(stderr).toContain(`converted to sRGB from "${ref.icc_profile.description}"`);
        await run(process.execPath, [join(REPO_ROOT, 'bin/wsi-stream.js'), 'tile', f.path, ...at, '--png', '--out', stored]);
        const d = difference(readPngRgb(managed), readPngRgb(iccPng(t.srgb_png)));
        console.info(`${f.name} L${t.level} (${t.x}, ${t.y}) --srgb vs LittleCMS: max ${d.max}, mean ${d.mean.toFixed(3)}`);
        expect(d.max, `max ${d.max}, mean ${d.mean}`).toBeLessThanOrEqual(2);
        // The stored values are JPEG pixels: the usual JPEG tolerance against the third-party decode.
        expect(withinTolerance('jpeg', difference(readPngRgb(stored), readPngRgb(iccPng(t.png))))).toBe(true);
      });
    }
  }
});

describe('Display P3 output: the profile converted to the Display P3 the browser draws in, as LittleCMS converts it', () => {
  for (const f of fixturesOf('icc')) {
    it(`${f.name}: every reference tile within 2 levels of LittleCMS's Display P3, and not its sRGB`, async () => {
      const slide = await openSlide(new NodeFileSource(f.path));
      const { lcms, constants } = await littleCms();
      const transform = await iccTransform(await slide.colourProfile!.read(), lcms, constants, 'display-p3');
      await slide.close();
      expect(transform).toMatchObject({ output: 'display-p3', identity: false });
      let moved = 0;
      for (const t of displayP3Tiles(f.name)) {
        const { width, height, rgb } = readPngRgb(iccPng(t.png));
        const rgba = new Uint8Array(width * height * 4).fill(255);
        for (let i = 0; i < width * height; i++) rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
        transform.apply(rgba);
        const converted = rgbaToRgb(width, height, rgba);
        const d = difference(converted, readPngRgb(t.p3Png));
        expect(d.max, `L${t.level} (${t.x}, ${t.y}): max ${d.max}, mean ${d.mean}`).toBeLessThanOrEqual(2);
        moved = Math.max(moved, difference(converted, readPngRgb(iccPng(t.png.replace(/\.png$/, '.srgb.png')))).max);
      }
      // Display P3 is not sRGB under another name: saturated tissue colours land elsewhere.
      expect(moved).toBeGreaterThan(8);
      transform.close();
    });
  }
});

describe('profiles that cannot be used', () => {
  it('a damaged profile is unsupported_colour_profile, and the slide still reads', async () => {
    const f = fixturesOf('icc')[0]!;
    const slide = await openSlide(new NodeFileSource(f.path));
    const damaged = { ...slide, colourProfile: { size: 4, read: async () => new Uint8Array([1, 2, 3, 4]) } };
    await expect(slideColourTransform(damaged)).rejects.toMatchObject({ code: 'unsupported_colour_profile' });
    expect((await slide.readTile(0, 0, 0)).codec).toBe('jpeg');
    await slide.close();
  });
});

describe('profiles that are sRGB already', () => {
  it('an sRGB profile (the dicomizer’s, highdicom’s) is an identity to within a level, skipped; ProPhoto and Adobe RGB are not', async () => {
    const identityOf = async (name: string) => {
      const files = dicomFiles(name);
      const slide = await openSlide(files.length === 1 ? new NodeFileSource(files[0]!) : files.map((f) => new NodeFileSource(f)));
      const transform = (await slideColourTransform(slide))!;
      await slide.close();
      return [transform.description, transform.identity];
    };
    expect((await identityOf('cmu-dicomizer'))[1]).toBe(true);
    expect(await identityOf('highdicom-sm_image.dcm')).toEqual(['sRGB IEC61966-2.1', true]);
    for (const f of fixturesOf('icc')) expect((await identityOf(f.name))[1]).toBe(false);
  });
});
