import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture } from './support/open-fixture.js';
import { NodeFileSource, openSlide, Tag, TiffReader } from '../src/node.js';
import { FIXTURES, fixture, fixturePath, references } from './support/fixtures.js';
import { RangeServer, type LoggedRequest } from './support/range-server.js';
import { TAIL_READ_AHEAD, tailRequestLength } from '../src/tiff/tail-read.js';
import { HEAD_READ_AHEAD } from '../src/source/round-trip-bytes.js';

/** Request counts and bytes are the product: counted at the server, which is what the network sees. */
const servers: Record<string, { server: RangeServer; base: string }> = {};
beforeAll(async () => {
  for (const dir of ['real', 'generated']) {
    const server = new RangeServer({ root: `${FIXTURES}/${dir}` });
    servers[dir] = { server, base: await server.start() };
  }
});
afterAll(async () => {
  for (const { server } of Object.values(servers)) await server.stop();
});

function urlOf(file: string): { url: string; server: RangeServer } {
  const [dir, ...rest] = fixture(file).id.split('/') as [string, ...string[]];
  return { url: `${servers[dir]!.base}/${rest.join('/')}`, server: servers[dir]!.server };
}

/** The server's log path of a fixture: its id under real/ or generated/. */
function pathOf(file: string): string {
  return fixture(file).id.split('/').slice(1).join('/');
}

/** Each request's [start, end) in the file; a suffix range (`bytes=-N`, the tail asked for with the probe) ends at `size`. */
function ranges(log: LoggedRequest[], size: number): Array<[number, number]> {
  return log.map((r) => {
    if (/^bytes=-\d+$/.test(r.range ?? '')) return [size - r.bytes, size];
    const m = /bytes=(\d+)-(\d+)/.exec(r.range ?? '')!;
    return [Number(m[1]), Number(m[1]) + r.bytes];
  });
}

async function track<T>(server: RangeServer, file: string, work: () => Promise<T>): Promise<{ result: T; log: LoggedRequest[] }> {
  const before = server.requestsFor(pathOf(file)).length;
  const result = await work();
  return { result, log: server.requestsFor(pathOf(file)).slice(before) };
}

const openable = references.filter((r) => !r.openslide_error);

describe('opening a slide over HTTP', () => {
  for (const ref of openable) {
    it(`${ref.file}: at most one request per directory, no byte twice, no offset array read whole`, async () => {
      const { url, server } = urlOf(ref.file);
      const { log } = await track(server, ref.file, () => openSlide(url));
      const directories = ref.tiff_pages!.length;
      // One request per IFD at most, plus the first one that reads the header.
      expect(log.length).toBeLessThanOrEqual(directories + 1);
      expect(log.every((r) => r.status === 206)).toBe(true);
      // Offset arrays are never fetched whole at open: only those inside the small tail read (directories written
      // last come in one request with what follows them) may come along, so the open costs a bounded number of bytes.
      const local = new NodeFileSource(fixturePath(ref.file));
      const tiff = await TiffReader.open(local).finally(() => local.close());
      // The probe and the tail's suffix request go out together, before the size is known: in a file shorter than
      // the tail they overlap by the probe's bytes. No other byte is read twice.
      const read = ranges(log, tiff.fileSize).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const suffixStart = Math.max(0, tiff.fileSize - tailRequestLength(ref.file));
      const probeOverlap = Math.max(0, Math.min(HEAD_READ_AHEAD, tiff.fileSize) - suffixStart);
      for (let i = 1; i < read.length; i++) expect(read[i]![0]).toBeGreaterThanOrEqual(read[i - 1]![1] - (i === 1 ? probeOverlap : 0));
      for (const ifd of tiff.ifds) {
        const entry = ifd.entries.get(Tag.TileOffsets);
        if (!entry?.valueOffset || entry.count * 4 <= 4096 || entry.valueOffset >= tiff.fileSize - TAIL_READ_AHEAD) continue;
        const size = entry.count * (entry.type === 16 ? 8 : 4);
        const whole = read.some(([from, to]) => from <= entry.valueOffset! && to >= entry.valueOffset! + size);
        expect(whole, `TileOffsets of the IFD at ${ifd.offset} read whole`).toBe(false);
      }
    });
  }

  it('reads CMU-1-Small-Region (4 IFDs spread over the last 660 kB) in 3 requests: the probe and the tail, then the first IFD with the thumbnail after it', async () => {
    const { url, server } = urlOf('CMU-1-Small-Region.svs');
    const { log } = await track(server, 'CMU-1-Small-Region.svs', async () => {
      const slide = await openSlide(url);
      // The thumbnail the viewer's first viewport shows came with the open: no request of its own.
      await slide.readAssociated('thumbnail');
      await slide.close();
    });
    expect(log.length).toBe(3);
    // The probe (HEAD_READ_AHEAD), the tail read, and the first directory's block with the 135 kB after it up to the
    // tail read (fewer bytes than a round trip is worth): no more than from that block to the end of the file.
    const bytes = readFileSync(fixturePath('CMU-1-Small-Region.svs'));
    const firstIfdBlock = Math.floor(bytes.readUInt32LE(4) / 4096) * 4096;
    expect(log.reduce((s, r) => s + r.bytes, 0)).toBeLessThanOrEqual(HEAD_READ_AHEAD + bytes.length - firstIfdBlock);
  });

  it('reads the 7 directories the generated YCbCr file keeps in its last 27 kB with one request after the header', async () => {
    const { url, server } = urlOf('aperio-jpeg-ycbcr-240.svs');
    const { log } = await track(server, 'aperio-jpeg-ycbcr-240.svs', () => openSlide(url));
    expect(log.length).toBe(2);
    expect(log.reduce((s, r) => s + r.bytes, 0)).toBeLessThanOrEqual(HEAD_READ_AHEAD + TAIL_READ_AHEAD + 4096);
  });
});

describe('reading a tile after open', () => {
  const cases: Array<[string, number, number, number]> = [
    ['aperio-jpeg-ycbcr-240.svs', 0, 18, 25],
    ['aperio-jp2k-33003-240.svs', 0, 14, 19],
    ['aperio-jpeg-ycbcr-240.svs', 2, 5, 6],
    ['CMU-1-Small-Region.svs', 0, 5, 6],
  ];
  for (const [file, level, x, y] of cases) {
    it(`${file} L${level} (${x}, ${y}): the tile's exact bytes, plus at most one request for its offsets`, async () => {
      const { url, server } = urlOf(file);
      const slide = await openSlide(url);
      const { result: tile, log } = await track(server, file, () => slide.readTile(level, x, y));
      expect(log.length).toBeLessThanOrEqual(2);
      const dataRequest = log.filter((r) => r.bytes !== 4096 || tile.codec !== 'jpeg');
      expect(dataRequest.length).toBeGreaterThanOrEqual(1);
      // The tile request is exactly the stored tile: no block padding around compressed pixels.
      const local = await openFixture(file);
      const rawSize = (await local.readTile(level, x, y)).bytes.length;
      expect(tile.bytes.length).toBe(rawSize);
      const neighbour = await track(server, file, () => slide.readTile(level, x + 1, y));
      expect(neighbour.log.length, 'a neighbour finds its offsets cached').toBe(1);
    });
  }
});

describe('Hamamatsu NDPI over HTTP', () => {
  const NDPI = 'test3-TRITC-2-560.ndpi';

  it('opens in one request per directory, plus the header and the first directory’s values, reading JPEG data only in the tail', async () => {
    const { url, server } = urlOf(NDPI);
    const { result: slide, log } = await track(server, NDPI, () => openSlide(url));
    const local = new NodeFileSource(fixturePath(NDPI));
    const tiff = await TiffReader.open(local).finally(() => local.close());
    // The level JPEG headers sit right after the values of their directories, in blocks already read for those.
    expect(log.length).toBeLessThanOrEqual(tiff.ifds.length + 2);
    // The tail read brings the small levels' JPEG data along with their directories; outside it, only headers.
    expect(log.reduce((s, r) => s + r.bytes, 0)).toBeLessThan(TAIL_READ_AHEAD + 64 * 1024);
    await slide.close();
  });

  it('a tile costs one request of its restart intervals’ bytes, plus the MCU-starts slice', async () => {
    const { url, server } = urlOf(NDPI);
    const slide = await openSlide(url);
    const local = new NodeFileSource(fixturePath(NDPI));
    const tiff = await TiffReader.open(local);
    const level0 = tiff.ifds[0]!;
    const starts = (await level0.value(65426)) as number[];
    const jpegStart = level0.number(Tag.StripOffsets)!;
    await local.close();
    const { tileHeight, restartInterval } = slide.levels[0]!;
    const perTile = tileHeight / restartInterval!.height;
    for (const y of [3, 4, 18]) {
      const { result: tile, log } = await track(server, NDPI, () => slide.readTile(0, 0, y));
      const first = y * perTile;
      const end = first + perTile < starts.length ? jpegStart + starts[first + perTile]! : jpegStart + level0.number(Tag.StripByteCounts)!;
      // From the restart marker before the run (2 bytes), which proves the start, to the run's end, or less where the
      // open's tail read already holds the run's last bytes (they are not asked for again).
      const data = log.filter((r) => r.range?.startsWith(`bytes=${jpegStart + starts[first]! - 2}-`) && Number(r.range.split('-')[1]) <= end - 1);
      expect(data.length, `tile row ${y}: ${JSON.stringify(log.map((r) => r.range))}`).toBe(1);
      // The rest is at most the MCU starts' block, read once for many tiles.
      expect(log.length).toBeLessThanOrEqual(2);
      // The tile is the level's header (about 620 bytes) and the run: nothing else of the level JPEG.
      expect(tile.bytes.length).toBeLessThan(end - (jpegStart + starts[first]!) + 1024);
    }
    await slide.close();
  });
});
