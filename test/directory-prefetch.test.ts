import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/source/memory-source.js';
import { directoriesIn } from '../src/tiff/directory-prefetch.js';
import { TAIL_READ_AHEAD, TiffReader } from '../src/tiff/tiff-reader.js';
import { catalogue } from './support/fixtures.js';

describe('finding directories in held bytes (the open prefetch)', () => {
  for (const name of ['test3-TRITC-2-560.ndpi', 'CMU-1-Small-Region.svs', 'icc-prophoto-cmu.tif']) {
    it(`${name}: finds in the tail exactly the directories the chain walk reads there, with their next pointers`, async () => {
      const bytes = new Uint8Array(readFileSync(catalogue.find((f) => f.name === name)!.path));
      const tiff = await TiffReader.open(new MemorySource(bytes));
      const start = Math.max(0, bytes.length - TAIL_READ_AHEAD);
      const layout = { littleEndian: tiff.littleEndian, bigTiff: tiff.bigTiff, fileSize: bytes.length };
      const found = directoriesIn({ start, bytes: bytes.subarray(start) }, layout);
      const walked = tiff.ifds.filter((ifd) => ifd.offset >= start);
      expect(walked.length).toBeGreaterThan(0);
      expect(found.map((d) => [d.offset, d.next])).toEqual(walked.map((ifd) => [ifd.offset, ifd.next]));
    });
  }

  it('finds none in image data or noise', () => {
    let seed = 20261206;
    const noise = Uint8Array.from({ length: 256 * 1024 }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    const jpegData = new Uint8Array(readFileSync(catalogue.find((f) => f.name === 'CMU-1-Small-Region.svs')!.path)).subarray(100_000, 600_000);
    for (const bigTiff of [false, true])
      for (const bytes of [noise, jpegData]) {
        expect(directoriesIn({ start: 0, bytes }, { littleEndian: true, bigTiff, fileSize: 2 ** 40 })).toEqual([]);
      }
  });
});
