import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { MemorySource, openSlide, Tag, TiffReader } from '../src/index.js';
import { fixturePath } from './support/fixtures.js';
import { buildTiff, PAYLOAD_OFFSET, type BuilderEntry } from './support/tiff-builder.js';

const SHORT = 3;
const LONG = 4;
const ASCII = 2;

/** A one-tile 16×16 JPEG-compressed TIFF whose tile is `tile` (bytes after the header) and whose tags add `extra`. */
function jpegTiff(tile: Uint8Array, extra: BuilderEntry[] = [], bits = 8): Uint8Array {
  return buildTiff(
    [
      {
        entries: [
          { tag: Tag.ImageWidth, type: LONG, values: [16] },
          { tag: Tag.ImageLength, type: LONG, values: [16] },
          { tag: Tag.BitsPerSample, type: SHORT, values: [bits, bits, bits] },
          { tag: Tag.Compression, type: SHORT, values: [7] },
          { tag: Tag.Photometric, type: SHORT, values: [6] },
          { tag: Tag.SamplesPerPixel, type: SHORT, values: [3] },
          { tag: Tag.TileWidth, type: SHORT, values: [16] },
          { tag: Tag.TileLength, type: SHORT, values: [16] },
          { tag: Tag.TileOffsets, type: LONG, values: [PAYLOAD_OFFSET.classic] },
          { tag: Tag.TileByteCounts, type: LONG, values: [tile.length] },
          ...extra,
        ],
      },
    ],
    { payload: tile },
  );
}

/** SOI then a start-of-frame segment with that marker and sample precision (enough for the frame test). */
function frameHeader(marker: number, precision: number): Uint8Array {
  return Uint8Array.of(0xff, 0xd8, 0xff, marker, 0x00, 0x11, precision, 0, 16, 0, 16, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9);
}

describe('formats recognised but not read: each its own code, naming the format', () => {
  it('MIRAX (.mrxs, a folder of files) is unsupported_mirax, whatever its bytes', async () => {
    for (const id of ['https://lab.example/slides/CMU-1.mrxs?sig=x', 'CMU-1/Slidedat.ini']) {
      const error = await openSlide(new MemorySource(new Uint8Array(64), id)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unsupported_mirax', message: expect.stringContaining('MIRAX') });
    }
  });

  it('Leica SCN is unsupported_leica_scn', async () => {
    const description = '<?xml version="1.0"?><scn xmlns="http://www.leica-microsystems.com/scn/2010/10/01"></scn>';
    const file = jpegTiff(frameHeader(0xc0, 8), [{ tag: Tag.ImageDescription, type: ASCII, values: description }]);
    await expect(openSlide(new MemorySource(file))).rejects.toMatchObject({ code: 'unsupported_leica_scn', message: expect.stringContaining('Leica SCN') });
  });

  it('12-bit JPEG is unsupported_jpeg_12bit, from the tags at open or from the stream at the first tile', async () => {
    await expect(openSlide(new MemorySource(jpegTiff(frameHeader(0xc1, 12), [], 12)))).rejects.toMatchObject({ code: 'unsupported_jpeg_12bit' });
    const slide = await openSlide(new MemorySource(jpegTiff(frameHeader(0xc1, 12))));
    await expect(slide.readTile(0, 0, 0)).rejects.toMatchObject({ code: 'unsupported_jpeg_12bit', message: expect.stringContaining('12-bit') });
  });

  it('JPEG-LS behind compression 7 is unsupported_jpeg_ls at the first tile', async () => {
    const slide = await openSlide(new MemorySource(jpegTiff(frameHeader(0xf7, 8))));
    await expect(slide.readTile(0, 0, 0)).rejects.toMatchObject({ code: 'unsupported_jpeg_ls', message: expect.stringContaining('JPEG-LS') });
  });
});

describe('damaged NDPI files fail clearly', () => {
  const original = readFileSync(fixturePath('test3-TRITC-2-560.ndpi'));

  /** The NDPI with level 0's MCU starts rewritten by `edit`. */
  async function withMcuStarts(edit: (starts: number[]) => void): Promise<Uint8Array> {
    const tiff = await TiffReader.open(new MemorySource(original));
    const entry = tiff.ifds[0]!.entries.get(65426)!;
    const bytes = new Uint8Array(original);
    const view = new DataView(bytes.buffer, bytes.byteOffset + entry.valueOffset!, entry.count * 4);
    const starts = Array.from({ length: entry.count }, (_, i) => view.getUint32(i * 4, true));
    edit(starts);
    for (const [i, v] of starts.entries()) view.setUint32(i * 4, v, true);
    return bytes;
  }

  it('MCU starts that point between restart markers are corrupt, not a garbled tile', async () => {
    const bytes = await withMcuStarts((starts) => {
      starts[32] = starts[32]! + 40;
    });
    const slide = await openSlide(new MemorySource(bytes));
    await expect(slide.readTile(0, 0, 1)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('MCU starts') });
    // Tiles the damage does not touch still decode.
    const tile = await nodeCodecs().decode(await slide.readTile(0, 0, 5));
    expect([tile.width, tile.height]).toEqual([3968, 256]);
  });

  it('MCU starts outside the level JPEG are corrupt', async () => {
    const bytes = await withMcuStarts((starts) => {
      starts[64] = 0xfffffff0;
    });
    const slide = await openSlide(new MemorySource(bytes));
    await expect(slide.readTile(0, 0, 1)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('a file cut short anywhere says truncated at open (each level’s directory follows its JPEG)', async () => {
    for (const length of [1_000_000, 2_600_000, 3_000_000]) {
      const error = await openSlide(new MemorySource(original.subarray(0, length))).catch((e: unknown) => e);
      expect(error, `cut at ${length}`).toMatchObject({ code: 'truncated', message: expect.stringContaining('truncated') });
    }
  });
});
