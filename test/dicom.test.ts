import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomHeader } from '../src/dicom/dicom-header.js';
import { readRegion } from '../src/sidecar/render.js';
import { openFixture } from './support/open-fixture.js';
import { MemorySource, NodeFileSource, openSlide } from '../src/node.js';
import { RangeServer } from './support/range-server.js';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { dicomFiles, FIXTURES, fixturesOf, referenceJson, referencePng } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';
import { openDicomFixture } from './support/open-dicom.js';
import { toHtj2kDicom } from './support/htj2k-dicom.js';

interface DicomReference {
  levels: Array<{
    width: number;
    height: number;
    frame_size: [number, number];
    tiles_across: number;
    tiles_down: number;
    downsample: number;
    mpp: [number, number];
    transfer_syntax: string;
  }>;
  associated: Array<{ role: string }>;
  reference_frames: Array<{ level: number; column: number; row: number; width: number; height: number; png: string }>;
}

const codecs = nodeCodecs();
/** Lossless transfer syntaxes: their frames must equal the references exactly. */
const LOSSLESS = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.80']);

describe('DICOM WSI by range reads, against pydicom and the third-party decodes', () => {
  for (const f of fixturesOf('dicom')) {
    const ref = referenceJson<DicomReference>(f.name, 'dicom');
    it(`${f.name}: levels, frame grid, downsamples and MPP as the reference says`, async () => {
      const slide = await openDicomFixture(f.name);
      expect(slide.format).toBe('dicom');
      expect(slide.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight, l.tilesX, l.tilesY])).toEqual(
        ref.levels.map((l) => [l.width, l.height, ...l.frame_size, l.tiles_across, l.tiles_down]),
      );
      for (const [i, l] of slide.levels.entries()) expect(l.downsample).toBeCloseTo(ref.levels[i]!.downsample, 9);
      expect(slide.mpp!.x).toBeCloseTo(ref.levels[0]!.mpp[0], 9);
      expect(slide.mpp!.y).toBeCloseTo(ref.levels[0]!.mpp[1], 9);
      expect(slide.properties['openslide.level-count']).toBe(String(ref.levels.length));
    });

    it(`${f.name}: every reference frame equals the third-party decode (${LOSSLESS.has(ref.levels[0]!.transfer_syntax) ? 'exactly' : 'within JPEG tolerance'})`, async () => {
      const slide = await openDicomFixture(f.name);
      expect(ref.reference_frames.length).toBeGreaterThan(0);
      for (const frame of ref.reference_frames) {
        const tile = await codecs.decode(await slide.readTile(frame.level, frame.column, frame.row));
        const d = difference(rgbaToRgb(tile.width, tile.height, tile.data), readPngRgb(referencePng(`dicom/${frame.png}`)));
        const lossless = LOSSLESS.has(ref.levels[frame.level]!.transfer_syntax);
        expect(withinTolerance(lossless ? 'raw' : 'jpeg', d), `${frame.png}: mean ${d.mean}, max ${d.max}`).toBe(true);
      }
    });
  }
});

describe('the CMU series against the slide it was made from', () => {
  it('level 0 equals CMU-1-Small-Region.svs through OpenSlide within the re-encoding the converter applied (the reference measured mean 6.68, max 92)', async () => {
    const ref = referenceJson<{
      reference_frames: Array<{
        level: number;
        column: number;
        row: number;
        same_as?: { x: number; y: number; width: number; height: number; mean_abs_diff: number; max_abs_diff: number };
      }>;
    }>('cmu-1-small-region', 'dicom');
    const frame = ref.reference_frames.find((f) => f.same_as)!;
    const { x, y, width, height, mean_abs_diff } = frame.same_as!;
    const dicom = await openDicomFixture('cmu-1-small-region');
    const tile = await codecs.decode(await dicom.readTile(frame.level, frame.column, frame.row));
    const svs = await openFixture('CMU-1-Small-Region.svs');
    const region = await readRegion(svs, 0, x, y, width, height);
    const d = difference(rgbaToRgb(tile.width, tile.height, tile.data), rgbaToRgb(region.width, region.height, region.data));
    // Our two decodes against each other: the same figure as the reference's, to JPEG decoding tolerance.
    expect(Math.abs(d.mean - mean_abs_diff)).toBeLessThanOrEqual(0.5);
  });
});

describe('DICOM: what a series costs over HTTP, and bad input', () => {
  const servers: { server?: RangeServer; base?: string } = {};
  beforeAll(async () => {
    servers.server = new RangeServer({ root: FIXTURES });
    servers.base = await servers.server.start();
  });
  afterAll(async () => servers.server?.stop());
  const urls = (name: string) => dicomFiles(name).map((f) => `${servers.base}/${relative(FIXTURES, f).split(sep).map(encodeURIComponent).join('/')}`);

  it('opening the 12-instance CMU series reads no pixel data: one request per instance; a frame then costs one request of its own bytes', async () => {
    const server = servers.server!;
    const before = server.log.length;
    const slide = await openSlide(urls('cmu-1-small-region'));
    const open = server.log.slice(before);
    expect(open.length).toBeLessThanOrEqual(dicomFiles('cmu-1-small-region').length);
    for (const r of open) expect(Number(/bytes=(\d+)-/.exec(r.range ?? '')![1])).toBe(0);
    // Each header read stops before the frames: far less than the files.
    expect(open.reduce((n, r) => n + r.bytes, 0)).toBeLessThan(12 * 64 * 1024 + 1);
    const atTile = server.log.length;
    await slide.readTile(0, 2, 3);
    const tile = server.log.slice(atTile);
    // No offset table in this series: the item headers before the frame are walked (4 KiB metadata blocks), then the
    // frame is one request of exactly its bytes.
    const frames = tile.filter((r) => r.bytes > 4096);
    expect(frames.length).toBe(1);
    expect(tile.every((r) => r === frames[0] || r.bytes <= 8192)).toBe(true);
    await slide.close();
  });

  it('a file that is not DICOM is not_dicom; a DICOM object that is no slide is not_wsi', async () => {
    await expect(openSlide([new MemorySource(new Uint8Array(300), 'notes.txt')])).rejects.toMatchObject({ code: 'not_dicom' });
    const bytes = new Uint8Array(readFileSync(dicomFiles('gcp-raw.dcm')[0]!));
    const text = new TextDecoder('latin1').decode(bytes);
    // Rewrite the SOP class UID (in the file meta and the dataset) to CT Image Storage, same length padded.
    for (const at of [...text.matchAll(/1\.2\.840\.10008\.5\.1\.4\.1\.1\.77\.1\.6/g)].map((m) => m.index!)) {
      bytes.set(new TextEncoder().encode('1.2.840.10008.5.1.4.1.1.2\0\0\0\0\0\0'), at);
    }
    await expect(openSlide(new MemorySource(bytes, 'ct.dcm'))).rejects.toMatchObject({
      code: 'not_wsi',
      message: expect.stringContaining('1.2.840.10008.5.1.4.1.1.2'),
    });
  });

  it('files of two series are inconsistent_series', async () => {
    const two = [...dicomFiles('cmu-1-small-region'), ...dicomFiles('gcp-jpeg.dcm')].map((f) => new NodeFileSource(f));
    await expect(openSlide(two)).rejects.toMatchObject({ code: 'inconsistent_series', message: expect.stringContaining('2 series') });
    await Promise.all(two.map((s) => s.close()));
  });

  it('a truncated frame fails with a clear code, and the frames before it still decode', async () => {
    const bytes = new Uint8Array(readFileSync(dicomFiles('gcp-jpeg.dcm')[0]!));
    const slide = await openSlide(new MemorySource(bytes.subarray(0, bytes.length - 20_000), 'cut.dcm'));
    const last = slide.levels[0]!;
    await expect(slide.readTile(0, last.tilesX - 1, last.tilesY - 1)).rejects.toMatchObject({ code: expect.stringMatching(/^(read_past_end|corrupt)$/) });
    const first = await codecs.decode(await slide.readTile(0, 0, 0));
    expect(first.width).toBe(256);
  });

  it('a Basic Offset Table that lies is corrupt, never a garbled tile', async () => {
    const bytes = new Uint8Array(readFileSync(dicomFiles('cmu-dicomizer')[0]!));
    // The table is the first item of the pixel data; push frame 5's entry into the middle of frame 4.
    const header = await readDicomHeader(new MemorySource(bytes), {});
    const table = header.pixelData!.offset + 8;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(table + 5 * 4, view.getUint32(table + 5 * 4, true) - 100, true);
    const slide = await openSlide(new MemorySource(bytes, 'lying.dcm'));
    const { tilesX, tilesY } = slide.levels[0]!;
    const outcomes = await Promise.all(
      Array.from({ length: tilesX * tilesY }, (_, i) =>
        slide.readTile(0, i % tilesX, Math.floor(i / tilesX)).then(
          async (tile) => ((await codecs.decode(tile)).width > 0 ? 'ok' : 'empty'),
          (e: { code: string }) => e.code,
        ),
      ),
    );
    // Frames 4 and 5 (whose ranges the lie cuts) fail as corrupt; every other frame decodes.
    expect(outcomes.filter((o) => o === 'corrupt').length).toBe(2);
    expect(outcomes.filter((o) => o === 'ok').length).toBe(tilesX * tilesY - 2);
  });
});

describe('HTJ2K frames (OpenJPH in WASM), on gcp-raw.dcm re-encoded losslessly by OpenJPH’s encoder', () => {
  const ref = referenceJson<DicomReference>('gcp-raw.dcm', 'dicom');
  let file: Uint8Array;
  beforeAll(async () => {
    file = await toHtj2kDicom(new Uint8Array(readFileSync(dicomFiles('gcp-raw.dcm')[0]!)));
  });

  it('decodes every reference frame to the native pixels exactly', async () => {
    const slide = await openSlide(new MemorySource(file, 'gcp-htj2k.dcm'));
    expect(slide.properties['dicom.TransferSyntaxUID']).toBe('1.2.840.10008.1.2.4.201');
    for (const frame of ref.reference_frames) {
      const encoded = await slide.readTile(frame.level, frame.column, frame.row);
      // A High-Throughput codestream: SOC, then SIZ, then the CAP marker Part 15 requires.
      expect([encoded.codec, [...encoded.bytes.subarray(0, 2)], encoded.bytes.includes(0x50)]).toEqual(['htj2k', [0xff, 0x4f], true]);
      const tile = await codecs.decode(encoded);
      const d = difference(rgbaToRgb(tile.width, tile.height, tile.data), readPngRgb(referencePng(`dicom/${frame.png}`)));
      expect([frame.png, d.max]).toEqual([frame.png, 0]);
    }
    await slide.close();
  });

  it('a damaged HTJ2K frame is corrupt, with the codec named, and the next frame still decodes', async () => {
    const slide = await openSlide(new MemorySource(file, 'gcp-htj2k.dcm'));
    const tile = await slide.readTile(0, 1, 0);
    await expect(codecs.decode({ ...tile, bytes: tile.bytes.subarray(0, 40) })).rejects.toMatchObject({ code: 'corrupt', message: /HTJ2K/ });
    expect((await codecs.decode(await slide.readTile(0, 2, 0))).width).toBe(256);
    await slide.close();
  });
});
