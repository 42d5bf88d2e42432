import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlockCache, MemorySource, MetricsSource, openSlide, SlideError, standaloneJpeg, Tag, TiffReader } from '../src/index.js';
import { TAIL_READ_AHEAD } from '../src/tiff/tail-read.js';
import { fixturePath } from './support/fixtures.js';
import { buildTiff, buildTiffWithOffsets, PAYLOAD_OFFSET, type BuilderEntry, type BuilderIfd } from './support/tiff-builder.js';

const SHORT = 3;
const LONG = 4;
const LONG8 = 16;
const ASCII = 2;

/** A tiled, uncompressed greyscale directory whose tiles live at the given offsets. */
function tiledIfd(width: number, height: number, tile: number, offsets: number[], counts: number[], extra: BuilderEntry[] = [], big = false): BuilderIfd {
  return {
    entries: [
      { tag: Tag.ImageWidth, type: LONG, values: [width] },
      { tag: Tag.ImageLength, type: LONG, values: [height] },
      { tag: Tag.BitsPerSample, type: SHORT, values: [8] },
      { tag: Tag.Compression, type: SHORT, values: [1] },
      { tag: Tag.Photometric, type: SHORT, values: [1] },
      { tag: Tag.SamplesPerPixel, type: SHORT, values: [1] },
      { tag: Tag.TileWidth, type: SHORT, values: [tile] },
      { tag: Tag.TileLength, type: SHORT, values: [tile] },
      { tag: Tag.TileOffsets, type: big ? LONG8 : LONG, values: offsets },
      { tag: Tag.TileByteCounts, type: big ? LONG8 : LONG, values: counts },
      ...extra,
    ],
  };
}

/** Two 16×16 tiles of a 32×16 level 0 and one 16×16 tile of a 16×8 level 1, as payload after the header. */
function twoLevelPyramid(options: { bigTiff?: boolean; littleEndian?: boolean }): Uint8Array {
  const big = options.bigTiff ?? false;
  const base = big ? PAYLOAD_OFFSET.big : PAYLOAD_OFFSET.classic;
  const payload = new Uint8Array(256 * 3).map((_, i) => Math.floor(i / 256) * 100 + 1);
  return buildTiff(
    [
      tiledIfd(32, 16, 16, [base, base + 256], [256, 256], [], big),
      tiledIfd(16, 8, 16, [base + 512], [256], [{ tag: Tag.NewSubfileType, type: LONG, values: [1] }], big),
    ],
    { ...options, payload },
  );
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  const e = await work.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  return SlideError.is(e) ? e.code : `not a SlideError: ${String(e)}`;
}

describe('TIFF flavours', () => {
  for (const bigTiff of [false, true]) {
    for (const littleEndian of [true, false]) {
      it(`${bigTiff ? 'BigTIFF' : 'classic TIFF'}, ${littleEndian ? 'little' : 'big'}-endian: levels and tile bytes`, async () => {
        const slide = await openSlide(new MemorySource(twoLevelPyramid({ bigTiff, littleEndian })));
        expect(slide.format).toBe('generic-tiff');
        expect(slide.levels.map((l) => [l.width, l.height, l.tilesX, l.tilesY, l.downsample])).toEqual([
          [32, 16, 2, 1, 1],
          [16, 8, 1, 1, 2],
        ]);
        const tile = await slide.readTile(0, 1, 0);
        expect([tile.codec, tile.colour, tile.width, tile.height, tile.bytes.length, tile.bytes[0]]).toEqual(['raw', 'grey', 16, 16, 256, 101]);
        const edge = await slide.readTile(1, 0, 0);
        expect([edge.width, edge.height, edge.stored.width, edge.stored.height, edge.bytes[0]]).toEqual([16, 8, 16, 16, 201]);
      });
    }
  }

  it('builds the pyramid from SubIFDs (OME style)', async () => {
    const base = PAYLOAD_OFFSET.classic;
    const payload = new Uint8Array(256);
    const layout = (subIfd: number): BuilderIfd[] => [
      { ...tiledIfd(32, 32, 16, [base, base, base, base], [256, 256, 256, 256], [{ tag: Tag.SubIFDs, type: LONG, values: [subIfd] }]), next: 0 },
      tiledIfd(16, 16, 16, [base], [256], [{ tag: Tag.NewSubfileType, type: LONG, values: [1] }]),
    ];
    // Same sizes whatever the SubIFDs value, so the first build tells where the second directory lands.
    const { ifdOffsets } = buildTiffWithOffsets(layout(0), { payload });
    const file = buildTiff(layout(ifdOffsets[1]!), { payload });
    const tiff = await TiffReader.open(new MemorySource(file));
    expect(tiff.ifds.length).toBe(1);
    expect(tiff.ifds[0]!.subIfds.length).toBe(1);
    const slide = await openSlide(new MemorySource(file));
    expect(slide.levels.map((l) => l.width)).toEqual([32, 16]);
    expect((await slide.readTile(1, 0, 0)).bytes.length).toBe(256);
  });

  it('refuses a SubIFD pointing nowhere', async () => {
    const file = buildTiff([tiledIfd(16, 16, 16, [8], [1], [{ tag: Tag.SubIFDs, type: LONG, values: [0] }])]);
    expect(await codeOf(openSlide(new MemorySource(file)))).toBe('corrupt');
  });
});

describe('hostile and broken files fail fast with the right code', () => {
  const cmu = readFileSync(fixturePath('CMU-1-Small-Region.svs'));

  it('a truncated upload', async () => {
    expect(await codeOf(openSlide(new MemorySource(cmu.subarray(0, 1_000_000))))).toBe('truncated');
  });

  it('a stripped (untiled) TIFF', async () => {
    const file = buildTiff([
      {
        entries: [
          { tag: Tag.ImageWidth, type: LONG, values: [100] },
          { tag: Tag.ImageLength, type: LONG, values: [100] },
          { tag: Tag.StripOffsets, type: LONG, values: [8] },
          { tag: Tag.StripByteCounts, type: LONG, values: [0] },
        ],
      },
    ]);
    const error = await openSlide(new MemorySource(file)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'not_tiled', message: expect.stringMatching(/vips tiffsave/) });
  });

  it('an IFD loop', async () => {
    const file = buildTiff([{ ...tiledIfd(16, 16, 16, [8], [1]), next: 8 }]);
    expect(await codeOf(openSlide(new MemorySource(file)))).toBe('corrupt');
  });

  it('an absurd entry count', async () => {
    const file = twoLevelPyramid({});
    new DataView(file.buffer).setUint16(new DataView(file.buffer).getUint32(4, true), 60000, true);
    expect(await codeOf(openSlide(new MemorySource(file)))).toMatch(/corrupt|truncated/);
  });

  it('a BigTIFF offset beyond 2^53', async () => {
    const file = buildTiff([tiledIfd(16, 16, 16, [16], [1], [], true)], { bigTiff: true });
    new DataView(file.buffer).setBigUint64(8, 2n ** 60n, true);
    expect(await codeOf(openSlide(new MemorySource(file)))).toBe('corrupt');
  });

  it('a tile pointing past the end of the file', async () => {
    const slide = await openSlide(new MemorySource(buildTiff([tiledIfd(16, 16, 16, [1_000_000], [256])])));
    expect(await codeOf(slide.readTile(0, 0, 0))).toBe('read_past_end');
  });

  it('an absurd tile size', async () => {
    const file = buildTiff([tiledIfd(16, 16, 16, [8], [1], [])]);
    const bad = buildTiff([
      { entries: tiledIfd(16, 16, 16, [8], [1]).entries.map((e) => (e.tag === Tag.TileWidth ? { ...e, type: LONG, values: [1 << 30] } : e)) },
    ]);
    expect((await openSlide(new MemorySource(file))).levels[0]!.tileWidth).toBe(16);
    expect(await codeOf(openSlide(new MemorySource(bad)))).toBe('corrupt');
  });

  it('an abort during open', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(openSlide(new MemorySource(cmu), { signal: controller.signal }))).toBe('aborted');
  });
});

describe('tiles', () => {
  it('reports a missing tile (offset and count 0) instead of failing', async () => {
    const slide = await openSlide(new MemorySource(buildTiff([tiledIfd(32, 16, 16, [0, 8], [0, 1])])));
    const tile = await slide.readTile(0, 0, 0);
    expect(tile.missing).toBe(true);
    expect(tile.bytes.length).toBe(0);
    expect((await slide.readTile(0, 1, 0)).missing).toBeUndefined();
  });

  it('reads only the slice of a million-entry offset array that a tile needs', async () => {
    const tiles = 1000;
    const offsets = new Array<number>(tiles * tiles).fill(8);
    const counts = new Array<number>(tiles * tiles).fill(1);
    const file = buildTiff([tiledIfd(tiles * 16, tiles * 16, 16, offsets, counts)], { payload: Uint8Array.of(42) });
    expect(file.length).toBeGreaterThan(8_000_000);
    const metrics = new MetricsSource(new MemorySource(file), { log: true });
    const slide = await openSlide(metrics);
    const tile = await slide.readTile(0, 500, 500);
    expect([...tile.bytes]).toEqual([42]);
    // The open's tail read (the end of the 8 MB array here), and besides it only small slices.
    expect(metrics.metrics.bytes).toBeLessThan(TAIL_READ_AHEAD + 64 * 1024);
  });

  it('refuses tiles outside the level', async () => {
    const slide = await openSlide(new MemorySource(twoLevelPyramid({})));
    for (const [l, x, y] of [
      [0, 2, 0],
      [0, 0, 1],
      [2, 0, 0],
      [0, -1, 0],
      [0, 0.5, 0],
    ] as const) {
      expect(await codeOf(slide.readTile(l, x, y))).toBe('out_of_bounds');
    }
  });

  it('finds GT450-style associated images by NewSubfileType and shape when descriptions are empty', async () => {
    const aperio: BuilderEntry = { tag: Tag.ImageDescription, type: ASCII, values: 'Aperio Image Library v1.0|AppMag = 40|MPP = 0.25' };
    const stripped = (w: number, h: number, subfile: number): BuilderIfd => ({
      entries: [
        { tag: Tag.ImageWidth, type: LONG, values: [w] },
        { tag: Tag.ImageLength, type: LONG, values: [h] },
        { tag: Tag.NewSubfileType, type: LONG, values: [subfile] },
        { tag: Tag.StripOffsets, type: LONG, values: [8] },
        { tag: Tag.StripByteCounts, type: LONG, values: [1] },
      ],
    });
    const file = buildTiff([
      tiledIfd(64, 64, 16, new Array(16).fill(8), new Array(16).fill(1), [aperio]),
      stripped(32, 32, 0),
      stripped(40, 40, 1),
      stripped(100, 30, 9),
    ]);
    const slide = await openSlide(new MemorySource(file));
    expect(slide.format).toBe('aperio-svs');
    expect(slide.associated).toEqual(['label', 'macro', 'thumbnail']);
    expect(slide.magnification).toBe(40);
    expect(slide.mpp).toEqual({ x: 0.25, y: 0.25 });
    await expect(slide.readAssociated('label')).resolves.toMatchObject({ width: 40, height: 40 });
  });
});

describe('standaloneJpeg', () => {
  const tables = Uint8Array.of(0xff, 0xd8, 0xff, 0xdb, 0x00, 0x03, 0x07, 0xff, 0xd9);
  const tile = Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x11, 0xff, 0xd9);

  it('splices JPEGTables (without its EOI) before the tile (without its SOI)', () => {
    expect([...standaloneJpeg(tile, { tables, rgb: false })]).toEqual([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x03, 0x07, 0xff, 0xda, 0x00, 0x02, 0x11, 0xff, 0xd9]);
  });

  it('adds one Adobe APP14 (transform 0) for RGB data, never twice', () => {
    const once = standaloneJpeg(tile, { tables, rgb: true });
    expect([...once.subarray(0, 18)]).toEqual([0xff, 0xd8, 0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00]);
    expect([...standaloneJpeg(once, { tables, rgb: true })]).toEqual([...once]);
  });

  it('leaves a tile with its own tables alone', () => {
    const own = Uint8Array.of(0xff, 0xd8, 0xff, 0xdb, 0x00, 0x03, 0x09, 0xff, 0xda, 0x00, 0x02, 0x11, 0xff, 0xd9);
    expect([...standaloneJpeg(own, { tables, rgb: false })]).toEqual([...own]);
  });
});

describe('the parser is lazy', () => {
  it('opens through a block cache without touching ICC profiles or offset arrays of big files', async () => {
    const file = readFileSync(fixturePath('aperio-jpeg-ycbcr-240.svs'));
    const metrics = new MetricsSource(new MemorySource(file), { log: true });
    const tiff = await TiffReader.open(new BlockCache(metrics));
    const level0 = tiff.ifds[0]!;
    expect(level0.has(Tag.ICCProfile) || level0.has(Tag.JPEGTables)).toBe(true);
    expect(level0.cached(Tag.TileOffsets)).toBeUndefined();
    expect(level0.cached(Tag.JPEGTables)).toBeUndefined();
    expect(metrics.metrics.bytes).toBeLessThan(TAIL_READ_AHEAD + 48 * 1024);
  });
});
