import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from './support/fixtures.js';
import { fuzzCase } from './fuzz/fuzz.js';
import { layoutOf } from './fuzz/layout.js';

/**
 * Every mutant the fuzzer ever found a fault with, replayed by its seed. Each once crashed, hung or
 * allocated without bound; each must now end in a result or a SlideError.
 */
const FINDINGS: Array<[file: string, seed: number, was: string]> = [
  ['small.svs', 639, 'an associated image height of 2^31 made an array of 2^31 strips'],
  ['yb10kx5k.zstd.tiff', 1087, 'a 1024×65535 tile was decoded (200 M samples) until the time limit'],
  ['yb10kx5k.zstd.tiff', 1346, 'a 34464×1024 tile was decoded until the time limit'],
  ['yb10kx5k.zstd.tiff', 1514, 'an oversized tile was decoded until the time limit'],
  ['yb10kx5k.zstd.tiff', 2130, 'an oversized tile was decoded until the time limit'],
  ['small.svs', 5974, 'no directory left to be level 0: TypeError on levels[0]'],
  ['small.svs', 6730, 'no directory left to be level 0: TypeError on levels[0]'],
  ['aperio-jp2k-33005-256.svs', 6768, 'no directory left to be level 0: TypeError on levels[0]'],
  ['aperio-jp2k-33003-240.svs', 10323, 'TileOffsets typed as text: a tile read at offset NaN, reported as invalid_argument'],
  ['small.svs', 10745, "the thumbnail's StripOffsets typed as text: a read at offset NaN, reported as invalid_argument"],
  ['test3-TRITC-2-560.ndpi', 20262925, 'a macro width of 3 M pixels: 5 GB allocated to stack its strips'],
  ['gcp-jpeg.dcm', 5565, 'an ImageType with fewer than three values: TypeError inside dicom-parser'],
  ['highdicom-sm_image_jpegls.dcm', 4696, 'an ImageType with fewer than three values: TypeError inside dicom-parser'],
  // From the 30,000-case run (seed 20261201): past the time limit while the machine was busy (each ends in 0.3–0.9 s
  // alone), and 481 MB allocated on the way to `corrupt` (all of it collected after the case).
  ['test3-TRITC-2-560.ndpi', 20262001, 'bitflips: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20265641, 'loop: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20266707, 'bytes: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20267565, 'tilesize: 481 MB of ArrayBuffers allocated before the error'],
  ['ome-brightfield-cmu.ome.tif', 20281982, 'SubIFDs typed as DOUBLE: a directory read at offset 1.8e-307, reported as invalid_argument'],
  // From the second 30,000-case run (seeds 20301201 and 20316201, 15,000 each in two processes, beside two 30-minute
  // browser benches): every finding a case past the 5 s limit; replayed alone, the NDPI ones end in 0.1–1.2 s, the
  // ZSTD ones (after measuring frame headers first) in 0.2–0.5 s.
  ['yb10kx5k.zstd.tiff', 20319649, 'offset: twelve 1024² ZSTD tiles at 0.4–0.9 s each (fzstd writing into our buffer), past 5 s'],
  ['yb10kx5k.zstd.tiff', 20319753, 'offset: ZSTD tiles decoded through the slow buffer path, past 5 s'],
  ['test3-TRITC-2-560.ndpi', 20319952, 'type: no answer within 5 s on a busy machine (2.0 s on a less busy one)'],
  ['test3-TRITC-2-560.ndpi', 20320225, 'ifdcount: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20320290, 'tilesize: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20320524, 'tilesize: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20320537, 'tilesize: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20320680, 'offset: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20320706, 'type: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20320758, 'bytes: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20321226, 'type: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20309034, 'tilesize: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20309450, 'type: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20309580, 'offset: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20309827, 'loop: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20313181, 'count: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20322344, 'bytes: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20322604, 'offset: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20323449, 'offset: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20323696, 'type: no answer within 5 s on a busy machine'],
  ['test3-TRITC-2-560.ndpi', 20323813, 'tilesize: no answer within 5 s on a busy machine'],
  ['yb10kx5k.zstd.tiff', 20312384, 'bitflips: ZSTD tiles decoded through the slow buffer path, past 5 s'],
  ['yb10kx5k.zstd.tiff', 20322613, 'offset: ZSTD tiles decoded through the slow buffer path, past 5 s'],
  ['yb10kx5k.zstd.tiff', 20325278, 'offset: ZSTD tiles decoded through the slow buffer path, past 5 s'],
];

describe('fuzzer findings stay fixed', () => {
  for (const [file, seed, was] of FINDINGS) {
    it(`${file} seed ${seed}: ${was}`, async () => {
      const bytes = new Uint8Array(readFileSync(fixturePath(file)));
      const { outcome } = await fuzzCase(file, bytes, await layoutOf(bytes), seed);
      expect(outcome.kind, JSON.stringify(outcome)).not.toBe('finding');
    });
  }
});
