import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openFixture } from './support/open-fixture.js';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { type AssociatedName, NodeFileSource, openSlide } from '../src/node.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { fixturePath, REPO_ROOT, referencePng, references } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';
import { boxesRgb, tileOf, webpTiff } from './support/webp-tiff.js';

const codecs = nodeCodecs();
const out = mkdtempSync(join(tmpdir(), 'wsi-decode-'));
const run = promisify(execFile);

describe('decoded tiles equal the OpenSlide references (Node)', () => {
  for (const ref of references.filter((r) => r.reference_tiles?.length)) {
    const compression = ref.tiff_pages![0]!.compression;
    it(`${ref.file}: all ${ref.reference_tiles!.length} reference tiles (compression ${compression})`, async () => {
      const slide = await openFixture(ref.file);
      for (const t of ref.reference_tiles!) {
        const decoded = await codecs.decode(await slide.readTile(t.level, t.x, t.y));
        expect([decoded.width, decoded.height]).toEqual([t.width, t.height]);
        const d = difference(rgbaToRgb(decoded.width, decoded.height, decoded.data), readPngRgb(referencePng(t.png)));
        expect(withinTolerance(compression, d), `${t.png}: max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
      }
    });
  }
});

describe("associated images equal OpenSlide's", () => {
  for (const ref of references.filter((r) => r.associated && Object.keys(r.associated).length)) {
    for (const name of Object.keys(ref.associated!) as AssociatedName[]) {
      it(`${ref.file} ${name} (via the CLI)`, async () => {
        const file = join(out, `${ref.file}-${name}.png`);
        await run(process.execPath, [join(REPO_ROOT, 'bin/wsi-stream.js'), 'associated', fixturePath(ref.file), name, '--out', file]);
        const slide = await openFixture(ref.file);
        const { codec } = (await slide.readAssociated(name)).strips[0]!;
        const d = difference(readPngRgb(file), readPngRgb(referencePng(`${ref.file}/associated-${name}.png`)));
        expect(withinTolerance(codec, d), `max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
      });
    }
  }
});

describe('wsi-stream tile --png', () => {
  for (const ref of references.filter((r) => r.reference_tiles?.length)) {
    const t = ref.reference_tiles![ref.reference_tiles!.length - 1]!;
    it(`${ref.file} edge tile L${t.level} (${t.x}, ${t.y}) at its true size`, async () => {
      const file = join(out, `${ref.file}-tile.png`);
      await run(process.execPath, [
        join(REPO_ROOT, 'bin/wsi-stream.js'),
        'tile',
        fixturePath(ref.file),
        String(t.level),
        String(t.x),
        String(t.y),
        '--png',
        '--out',
        file,
      ]);
      const d = difference(readPngRgb(file), readPngRgb(referencePng(t.png)));
      expect(withinTolerance(ref.tiff_pages![0]!.compression, d), `max ${d.max}, mean ${d.mean}`).toBe(true);
    });
  }
});

describe('decode errors', () => {
  it('unreadable.svs opens, and its corrupt JPEG tile fails with a clear error', async () => {
    const slide = await openFixture('unreadable.svs');
    await expect(codecs.decode(await slide.readTile(0, 0, 0))).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(/Bogus marker length/),
    });
    // The rest keeps working: the same decoder, the same slide's metadata, another slide's tile.
    expect(slide.levels[0]!.width).toBe(16);
    const good = await openFixture('small.svs');
    expect((await codecs.decode(await good.readTile(0, 0, 0))).width).toBe(16);
  });

  it('a truncated JPEG 2000 codestream is corrupt, not a crash', async () => {
    const slide = await openFixture('aperio-jp2k-33005-256.svs');
    const tile = await slide.readTile(0, 1, 1);
    await expect(codecs.decode({ ...tile, bytes: tile.bytes.subarray(0, 40) })).rejects.toMatchObject({ code: 'corrupt' });
    // The decoder keeps working after a failure.
    expect((await codecs.decode(tile)).width).toBe(256);
  });

  it('names unsupported sample layouts', async () => {
    const slide = await openFixture('boxes.tiff');
    const tile = await slide.readTile(0, 0, 0);
    await expect(codecs.decode({ ...tile, layout: { ...tile.layout, bitsPerSample: 16 } })).rejects.toMatchObject({
      code: 'unsupported_pixels',
      message: expect.stringMatching(/16 bits/),
    });
  });
});

describe('WebP tiles (TIFF compression 50001)', () => {
  it('decode exactly to the image libvips wrote them from (lossless WebP of boxes.png), edge tiles too', async () => {
    const { path } = webpTiff();
    const expected = await boxesRgb();
    const slide = await openSlide(new NodeFileSource(path));
    const level = slide.levels[0]!;
    expect([level.width, level.height, level.tilesX, level.tilesY]).toEqual([300, 250, 5, 4]);
    for (const [x, y] of [
      [0, 0],
      [2, 1],
      [4, 3],
    ] as const) {
      const tile = await slide.readTile(0, x, y);
      expect(tile.codec).toBe('webp');
      const decoded = await codecs.decode(tile);
      const d = difference(rgbaToRgb(decoded.width, decoded.height, decoded.data), tileOf(expected, x, y));
      expect(d.max, `tile (${x}, ${y})`).toBe(0);
    }
    await slide.close();
  });
});
