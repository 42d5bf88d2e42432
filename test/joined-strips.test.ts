import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import type { EncodedImage } from '../src/slide/types.js';
import { type EncodedStrip, joinedJpegStrips } from '../src/slide/joined-strips.js';
import { JpegMarker, parseJpegFrame } from '../src/slide/jpeg-header.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { referencePng } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';
import { openFixture } from './support/open-fixture.js';

const codecs = nodeCodecs();
const LAYOUT = { samplesPerPixel: 3, bitsPerSample: 8, predictor: 1, sampleFormat: 1, littleEndian: true } as const;

/** A picture with detail everywhere (so every MCU's coefficients matter), as RGB. */
function picture(width: number, height: number): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = (x * 7 + y * 3) & 255;
      rgb[i + 1] = (x * y) & 255;
      rgb[i + 2] = Math.round(128 + 127 * Math.sin(x / 5) * Math.cos(y / 7));
    }
  return rgb;
}

/** The picture cut into strips of `rows`, each its own JPEG as a scanner writes them (standard tables, no restart markers). */
async function strips(width: number, height: number, rows: number, options: { subsampling: string; quality?: (i: number) => number }): Promise<EncodedStrip[]> {
  const rgb = picture(width, height);
  const out: EncodedStrip[] = [];
  for (let top = 0, i = 0; top < height; top += rows, i++) {
    const h = Math.min(rows, height - top);
    const bytes = await sharp(rgb.subarray(top * width * 3, (top + h) * width * 3), { raw: { width, height: h, channels: 3 } })
      .jpeg({ quality: options.quality?.(i) ?? 85, chromaSubsampling: options.subsampling, optimiseCoding: false })
      .toBuffer();
    out.push({ codec: 'jpeg', bytes: new Uint8Array(bytes), width, height: h, stored: { width, height: h }, colour: 'ycbcr', layout: LAYOUT, top });
  }
  return out;
}

async function stacked(width: number, height: number, parts: EncodedStrip[]): Promise<Uint8ClampedArray> {
  const image: EncodedImage = { name: 'thumbnail', width, height, strips: parts };
  return (await codecs.decodeImage(image)).data;
}

describe('JPEG strips joined into one JPEG (restart markers between them)', () => {
  for (const rows of [8, 16, 32]) {
    it(`${rows}-row strips, a short last strip: one decode, pixel for pixel the strips' own`, async () => {
      const [width, height] = [203, 5 * rows + 5];
      const parts = await strips(width, height, rows, { subsampling: '4:4:4' });
      const joined = joinedJpegStrips(parts, width, height)!;
      expect(joined).toBeDefined();
      const frame = parseJpegFrame(joined.bytes)!;
      expect([frame.width, frame.height, frame.restartInterval]).toEqual([width, height, Math.ceil(width / frame.mcuWidth) * (rows / frame.mcuHeight)]);
      expect(Buffer.compare(Buffer.from(await stacked(width, height, [joined])), Buffer.from(await stacked(width, height, parts)))).toBe(0);
    });
  }

  it('more than eight strips: the restart markers cycle RST0–RST7', async () => {
    const parts = await strips(64, 8 * 11, 8, { subsampling: '4:4:4' });
    const joined = joinedJpegStrips(parts, 64, 88)!;
    const markers = [];
    for (let i = parseJpegFrame(joined.bytes)!.headerLength; i + 1 < joined.bytes.length; i++)
      if (joined.bytes[i] === 0xff && joined.bytes[i + 1]! >= 0xd0 && joined.bytes[i + 1]! <= 0xd7) markers.push(joined.bytes[i + 1]! - 0xd0);
    expect(markers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0, 1]);
    expect(Buffer.compare(Buffer.from(await stacked(64, 88, [joined])), Buffer.from(await stacked(64, 88, parts)))).toBe(0);
  });

  it('left as they are where one JPEG could not be the same: subsampled chroma, seams inside MCU rows, other tables, restart markers of their own, a strip cut short', async () => {
    // 4:2:0: chroma is interpolated across the seams, so the joined image would differ from the strips there.
    expect(joinedJpegStrips(await strips(64, 48, 16, { subsampling: '4:2:0' }), 64, 48)).toBeUndefined();
    // 12-row strips: a seam inside an MCU row.
    expect(joinedJpegStrips(await strips(64, 48, 12, { subsampling: '4:4:4' }), 64, 48)).toBeUndefined();
    // Each strip with other quantisation tables.
    expect(joinedJpegStrips(await strips(64, 48, 16, { subsampling: '4:4:4', quality: (i) => 70 + i }), 64, 48)).toBeUndefined();
    const parts = await strips(64, 48, 16, { subsampling: '4:4:4' });
    // A strip with a DRI segment of its own (before its SOS).
    const withDri = parts.map((p) => {
      const sos = p.bytes.indexOf(JpegMarker.SOS, 2) - 1;
      const bytes = new Uint8Array(p.bytes.length + 6);
      bytes.set(p.bytes.subarray(0, sos));
      bytes.set([0xff, JpegMarker.DRI, 0, 4, 0, 4], sos);
      bytes.set(p.bytes.subarray(sos), sos + 6);
      return { ...p, bytes };
    });
    expect(joinedJpegStrips(withDri, 64, 48)).toBeUndefined();
    // A strip whose bytes end before its EOI.
    const cut = parts.map((p, i) => (i === 1 ? { ...p, bytes: p.bytes.subarray(0, p.bytes.length - 40) } : p));
    expect(joinedJpegStrips(cut, 64, 48)).toBeUndefined();
    // A strip missing from the file.
    expect(joinedJpegStrips([parts[0]!, { ...parts[1]!, bytes: new Uint8Array(0), missing: true }, parts[2]!], 64, 48)).toBeUndefined();
  });

  it("CMU-1's thumbnail (48 strips) and macro (27) are read as one JPEG each, and still equal OpenSlide's", async () => {
    const slide = await openFixture('CMU-1-Small-Region.svs');
    for (const name of ['thumbnail', 'macro'] as const) {
      const image = await slide.readAssociated(name);
      expect(image.strips).toHaveLength(1);
      const decoded = await codecs.decodeImage(image);
      const d = difference(rgbaToRgb(decoded.width, decoded.height, decoded.data), readPngRgb(referencePng(`CMU-1-Small-Region.svs/associated-${name}.png`)));
      expect(withinTolerance('jpeg', d), `${name}: max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
    }
    await slide.close();
  });
});
