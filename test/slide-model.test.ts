import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FORMAT_READERS, isSlide, MemorySource, MetricsSource, NodeFileSource, openSlide, Tag, TiffReader } from '../src/node.js';
import { fixturePath, fixturesOf, referenceJson, references } from './support/fixtures.js';
import { TAIL_READ_AHEAD } from '../src/tiff/tail-read.js';
import { ROUND_TRIP_BYTES } from '../src/source/round-trip-bytes.js';

interface IccReference {
  icc_profile: { size: number; sha256: string };
}

describe('openSlide picks a format reader from the first bytes', () => {
  it('every OpenSlide-readable TIFF fixture is taken by the TIFF reader, with no request beyond the open', async () => {
    for (const ref of references.filter((r) => !r.openslide_error)) {
      const slide = await openSlide(new NodeFileSource(fixturePath(ref.file)));
      expect(isSlide(slide), ref.file).toBe(true);
      expect(slide.format).toBe(ref.vendor === 'aperio' ? 'aperio-svs' : 'generic-tiff');
      await slide.close();
    }
    expect(FORMAT_READERS.map((r) => r.name)).toEqual([
      'TIFF (Aperio SVS, pyramidal TIFF, OME-TIFF, Hamamatsu NDPI)',
      'DICOM WSI (a file; a series from the list of its files)',
    ]);
  });

  it('a file no reader recognises is not_tiff, saying what it starts with and what is read', async () => {
    await expect(openSlide(new MemorySource(new TextEncoder().encode('GIF89a and then some bytes')))).rejects.toMatchObject({
      code: 'not_tiff',
      message: expect.stringMatching(/starts with "GIF8"\)\. Formats read here: TIFF \(Aperio SVS, pyramidal TIFF, OME-TIFF, Hamamatsu NDPI\); DICOM WSI/),
    });
    await expect(openSlide(new MemorySource(new Uint8Array([0x49, 0x49])))).rejects.toMatchObject({
      code: 'not_tiff',
      message: expect.stringMatching(/only 2 bytes long/),
    });
  });
});

describe('the neutral Slide: what viewer, sidecar and CLI use', () => {
  it('reports associated image sizes without reading them', async () => {
    for (const ref of references.filter((r) => r.associated && Object.keys(r.associated).length)) {
      const slide = await openSlide(new NodeFileSource(fixturePath(ref.file)));
      const before = slide.ioStats().requests;
      for (const [name, [width, height]] of Object.entries(ref.associated!)) {
        expect(slide.associatedSize(name as 'label'), `${ref.file} ${name}`).toEqual({ width, height });
      }
      expect(slide.associatedSize('label') === undefined).toBe(!('label' in ref.associated!));
      expect(slide.ioStats().requests).toBe(before);
      await slide.close();
    }
  });

  it('gives I/O as one flat snapshot that counts what reached the source', async () => {
    const network = new MetricsSource(new NodeFileSource(fixturePath('CMU-1-Small-Region.svs')));
    const slide = await openSlide(network);
    await slide.readTile(0, 1, 1);
    const io = slide.ioStats();
    expect(io).toEqual({
      requests: network.metrics.requests,
      bytes: network.metrics.bytes,
      metadataCacheHits: expect.any(Number),
      metadataCacheMisses: expect.any(Number),
      metadataCacheBytes: expect.any(Number),
      coalescedReads: 0,
      persistentCacheHits: 0,
      persistentCacheMisses: 0,
    });
    expect(io.metadataCacheMisses).toBeGreaterThan(0);
    expect(io.metadataCacheBytes).toBeGreaterThan(0);
    await slide.close();
  });

  for (const f of fixturesOf('icc')) {
    it(`${f.name}: a colour-profile handle whose bytes are read only when asked for`, async () => {
      const expected = referenceJson<IccReference>(f.name, 'icc').icc_profile;
      const { ifds } = await TiffReader.open(new NodeFileSource(f.path));
      const entry = ifds[0]!.entries.get(Tag.ICCProfile)!;
      const network = new MetricsSource(new NodeFileSource(f.path), { log: true });
      const slide = await openSlide(network);
      expect(slide.colourProfile?.size).toBe(expected.size);
      // The open reads the file's last TAIL_READ_AHEAD bytes (directories are written there), and from the first
      // directory on when that is less than a round trip's worth before them; of a profile before what it reads, metadata
      // blocks next to it bring some bytes along, and the open never asks for the rest.
      const [start, end] = [entry.valueOffset!, entry.valueOffset! + entry.count];
      const tail = (await network.size()) - TAIL_READ_AHEAD;
      const firstIfd = ifds[0]!.offset;
      const openReadsFrom = firstIfd < tail && tail - firstIfd <= ROUND_TRIP_BYTES ? firstIfd : tail;
      const profileBytesRead = (before = end) => {
        const covered = new Set<number>();
        for (const r of network.metrics.log) for (let o = Math.max(start, r.offset); o < Math.min(end, before, r.offset + r.length); o++) covered.add(o);
        return covered.size;
      };
      const outsideTail = Math.max(0, Math.min(end, openReadsFrom) - start);
      await slide.readTile(0, 0, 0);
      expect(profileBytesRead(openReadsFrom)).toBeLessThanOrEqual(outsideTail / 2);
      const requests = network.metrics.requests;
      const bytes = await slide.colourProfile!.read();
      // A profile wholly inside what the open reads costs no request of its own.
      expect(network.metrics.requests > requests).toBe(outsideTail > 0);
      expect(profileBytesRead()).toBe(expected.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected.sha256);
      await slide.close();
    });
  }

  it('a slide without a profile has no handle', async () => {
    const slide = await openSlide(new NodeFileSource(fixturePath('CMU-1-Small-Region.svs')));
    expect(slide.colourProfile).toBeUndefined();
    await slide.close();
  });
});
