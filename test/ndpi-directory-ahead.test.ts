import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../src/index.js';
import { MemorySource } from '../src/source/memory-source.js';
import { NodeFileSource } from '../src/source/node-file-source.js';
import type { RangeSource } from '../src/source/range-source.js';
import { readNdpiDirectoryAhead } from '../src/tiff/ndpi-directory-ahead.js';
import { tailStart } from '../src/tiff/tail-read.js';
import { bigSlide } from './support/big-slide.js';
import { fixturePath, referenceJson } from './support/fixtures.js';
import { RoundTripSource } from './support/round-trip-source.js';

const NDPI = 'test3-TRITC-2-560.ndpi';

/**
 * The NDPI fixture's directories, walked here byte by byte from the header: classic TIFF entries, and after them an
 * 8-byte next pointer (its low half is the whole pointer in a file under 4 GB).
 */
function ndpiDirectories(bytes: Uint8Array): Array<{ offset: number; stripOffset: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = [];
  for (let at = view.getUint32(4, true); at !== 0; ) {
    const count = view.getUint16(at, true);
    let stripOffset = -1;
    for (let i = 0; i < count; i++) if (view.getUint16(at + 2 + 12 * i, true) === 273) stripOffset = view.getUint32(at + 2 + 12 * i + 8, true);
    found.push({ offset: at, stripOffset });
    at = view.getUint32(at + 2 + 12 * count, true);
  }
  return found;
}

describe('the NDPI directory between the first and the tail’s, read beside the first', () => {
  const bytes = new Uint8Array(readFileSync(fixturePath(NDPI)));
  const directories = ndpiDirectories(bytes);

  it('the fixture is laid out as the rule expects: each page’s directory right before the next page’s JPEG, the third one first in the tail read', () => {
    // As many pages as tifffile lists, so the walk above is the file's whole chain.
    const pages = referenceJson<{ tiff_pages: unknown[] }>(NDPI, 'ndpi').tiff_pages.length;
    expect(directories).toHaveLength(pages);
    for (let i = 0; i + 1 < directories.length; i++) {
      const gap = directories[i + 1]!.stripOffset - directories[i]!.offset;
      expect(gap, `directory ${i}`).toBeGreaterThan(0);
      expect(gap, `directory ${i}`).toBeLessThan(1024);
    }
    const start = tailStart(bytes.length);
    expect(directories[1]!.offset).toBeLessThan(start);
    expect(directories[2]!.offset).toBeGreaterThan(start);
  });

  /** The reads `readNdpiDirectoryAhead` makes of `file`, given its tail read and first directory. */
  function readsAhead(file: Uint8Array, firstIfd = directories[0]!.offset): Array<[number, number]> {
    const reads: Array<[number, number]> = [];
    const source = {
      id: 'counted',
      size: async () => file.length,
      read: async (offset: number, length: number) => {
        reads.push([offset, length]);
        return file.subarray(offset, offset + length);
      },
    } as RangeSource;
    const start = tailStart(file.length);
    const ctx = { source, littleEndian: true, bigTiff: false, ndpi: false, fileSize: file.length };
    readNdpiDirectoryAhead(ctx, firstIfd, file.subarray(start), start, {});
    return reads;
  }

  it('walks the tail’s pages back from the last directory, which ends the file, and reads the 4 KiB before the first one’s JPEG', () => {
    const jpeg = directories[2]!.stripOffset;
    expect(readsAhead(bytes)).toEqual([[jpeg - 4096, 4096]]);
  });

  it('reads nothing where the last directory does not end the file, where those bytes hold the first directory, or in a non-NDPI file', () => {
    const longer = new Uint8Array(bytes.length + 100);
    longer.set(bytes);
    expect(readsAhead(longer)).toEqual([]);
    expect(readsAhead(bytes, directories[2]!.stripOffset - 100)).toEqual([]);
    const tiff = new Uint8Array(readFileSync(fixturePath('CMU-1-Small-Region.svs')));
    expect(readsAhead(tiff, 8)).toEqual([]);
  });

  it('reads the second directory in the round trip that reads the first, and the open needs no third', async () => {
    const source = new RoundTripSource(new MemorySource(bytes, NDPI));
    const slide = await openSlide(source);
    expect(source.rounds).toBe(2);
    const covers = (offset: number) => source.log[1]!.some((r) => r.offset <= offset && offset + 100 <= r.offset + r.length);
    expect(covers(directories[0]!.offset)).toBe(true);
    expect(covers(directories[1]!.offset)).toBe(true);
    // 4 KiB, not the 669 kB of the first level's JPEG between the two directories.
    expect(source.log[1]!.reduce((sum, r) => sum + r.length, 0)).toBeLessThanOrEqual(2 * 4096);
    expect(source.log.flat().filter((r) => r.offset <= directories[1]!.offset && directories[1]!.offset < r.offset + r.length)).toHaveLength(1);
    expect(slide.levels[1]!.width).toBe(1984);
    await slide.close();
  });

  it('a damaged tail page pointing its JPEG into the header reads nothing ahead; the walk still finds the directory', async () => {
    const damaged = bytes.slice();
    const page = directories[2]!.offset;
    const view = new DataView(damaged.buffer);
    for (let i = 0; i < view.getUint16(page, true); i++) if (view.getUint16(page + 2 + 12 * i, true) === 273) view.setUint32(page + 2 + 12 * i + 8, 16, true);
    const source = new RoundTripSource(new MemorySource(damaged, 'damaged.ndpi'));
    await expect(openSlide(source)).rejects.toMatchObject({ code: 'corrupt' });
    expect(source.log[1]).toHaveLength(1);
    expect(source.log[2]!.some((r) => r.offset <= directories[1]!.offset && directories[1]!.offset < r.offset + r.length)).toBe(true);
  });

  it('a libvips pyramid (N=11) reads nothing ahead: its second round is its first directory alone', async () => {
    const source = new RoundTripSource(new NodeFileSource(bigSlide(11).path));
    const slide = await openSlide(source);
    expect(source.rounds).toBe(2);
    expect(source.log[1]).toHaveLength(1);
    await slide.close();
  });
});
