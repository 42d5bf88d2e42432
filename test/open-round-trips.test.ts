import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SlideError } from '../src/errors.js';
import { openSlide } from '../src/index.js';
import { MemorySource } from '../src/source/memory-source.js';
import { NodeFileSource } from '../src/source/node-file-source.js';
import { TAIL_READ_AHEAD } from '../src/tiff/tail-read.js';
import { bigSlide } from './support/big-slide.js';
import { catalogue } from './support/fixtures.js';
import { RoundTripSource } from './support/round-trip-source.js';

/**
 * Round trips, not requests, are what an open costs on a network with latency: reads that go out together cost one.
 * The open reads the header with the file's first 8 KiB and last TAIL_READ_AHEAD bytes, where writers put
 * the small levels' directories; every other directory costs a round trip of its own.
 */
const EXPECTED_ROUNDS: Record<string, { rounds: number; why?: string }> = {};
const files = catalogue.filter((f) => f.container !== 'dicom');

function overlaps(ranges: Array<{ offset: number; length: number }>): boolean {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  return sorted.some((r, i) => i > 0 && r.offset < sorted[i - 1]!.offset + sorted[i - 1]!.length);
}

describe('opening a TIFF-family slide takes at most two round trips', () => {
  for (const f of files) {
    const expected = EXPECTED_ROUNDS[f.name] ?? { rounds: 2 };
    it(`${f.name}: ${expected.rounds} round trips${expected.why ? ` (${expected.why})` : ''}, no byte twice, the coarsest level's offsets with them`, async () => {
      const source = new RoundTripSource(new MemorySource(new Uint8Array(readFileSync(f.path)), f.name));
      const slide = await openSlide(source).catch((e: unknown) => {
        // A file that does not open must say why as fast: its error is a SlideError after the same round trips.
        expect(SlideError.is(e), String(e)).toBe(true);
        return undefined;
      });
      expect(source.rounds).toBeLessThanOrEqual(expected.rounds);
      expect(overlaps(source.log.flat())).toBe(false);
      if (!slide) return;
      const opened = source.rounds;
      // The first viewport shows the coarsest level: its tiles' offsets came with the open, so reading all of them
      // costs at most the one round trip of their bytes (none where the tail read brought those too).
      const top = slide.levels.length - 1;
      const { tilesX, tilesY } = slide.levels[top]!;
      const reads = [];
      for (let y = 0; y < tilesY; y++) for (let x = 0; x < tilesX; x++) reads.push(slide.readTile(top, x, y));
      await Promise.all(reads);
      expect(source.rounds).toBeLessThanOrEqual(opened + 1);
      await slide.close();
    });
  }

  it('the big libvips pyramid (N=11, 8 directories, each after its level’s data; 4 in the tail) opens in 2 round trips', async () => {
    const source = new RoundTripSource(new NodeFileSource(bigSlide(11).path));
    const slide = await openSlide(source);
    // The header and both ends, then directory 0; directories 1–3, found only one from another, are read behind the
    // open (see predicted-levels.test.ts).
    expect(source.rounds).toBe(2);
    expect(overlaps(source.log.flat())).toBe(false);
    expect(slide.levels).toHaveLength(8);
    await slide.close();
  });

  it('CMU-1-Small-Region: the thumbnail its first viewport shows comes in the open’s round trips, no byte twice', async () => {
    // Aperio writes the first level's directory after its tiles and the thumbnail's strips after that, 135 kB before
    // the tail read: fewer bytes than a round trip is worth, so they are read with that directory.
    const cmu = files.find((f) => f.name === 'CMU-1-Small-Region.svs')!;
    const source = new RoundTripSource(new MemorySource(new Uint8Array(readFileSync(cmu.path)), cmu.name));
    const slide = await openSlide(source);
    const opened = source.rounds;
    const thumbnail = await slide.readAssociated('thumbnail');
    expect(thumbnail.strips.length).toBeGreaterThan(0);
    expect(opened).toBe(2);
    expect(source.rounds).toBe(opened);
    expect(overlaps(source.log.flat())).toBe(false);
    await slide.close();
  });

  it('counts round trips, not requests: reads issued together are one round, reads that follow from them the next', async () => {
    const source = new RoundTripSource(new MemorySource(new Uint8Array(64)));
    await Promise.all([source.read(0, 8), source.read(32, 8)]);
    await source.read(8, 8).then(() => source.read(16, 8));
    expect(source.log.map((round) => round.length)).toEqual([2, 1, 1]);
  });

  it('reads the tail once, bounded: a file smaller than the tail read is read whole in one request', async () => {
    const small = files.find((f) => f.name === 'boxes.tiff')!;
    const bytes = new Uint8Array(readFileSync(small.path));
    expect(bytes.length).toBeLessThan(TAIL_READ_AHEAD);
    const source = new RoundTripSource(new MemorySource(bytes));
    await openSlide(source);
    expect(source.log.flat().reduce((sum, r) => sum + r.length, 0)).toBeLessThanOrEqual(bytes.length);
  });
});
