import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../src/index.js';
import { MemorySource } from '../src/source/memory-source.js';
import { NodeFileSource } from '../src/source/node-file-source.js';
import { tailChainHead } from '../src/tiff/tail-chain.js';
import { bigSlide } from './support/big-slide.js';
import { RoundTripSource } from './support/round-trip-source.js';
import { buildTiffWithOffsets } from './support/tiff-builder.js';

/**
 * make-big-slide N=11 (libvips, BigTIFF): 8 directories, each after its level's tiles, the last 4 in the file's tail. Opening it
 * predicts levels 1–3 from the first level and the tail's (halvings, rounded down) and walks to their directories
 * behind the open.
 */
const N11 = () => bigSlide(11).path;

/** A little-endian BigTIFF's 64-bit value (make-big-slide.sh writes BigTIFF). */
const u64 = (bytes: Uint8Array, at: number) => Number(new DataView(bytes.buffer).getBigUint64(at, true));
/** Where the next pointer of the directory at `ifd` sits: after its 8-byte count and 20-byte entries. */
const nextPointer = (bytes: Uint8Array, ifd: number) => ifd + 8 + u64(bytes, ifd) * 20;

/** The main chain's directory offsets, walked here byte by byte. */
function directoryOffsets(bytes: Uint8Array): number[] {
  const offsets = [];
  for (let at = u64(bytes, 8); at !== 0; at = u64(bytes, nextPointer(bytes, at))) offsets.push(at);
  return offsets;
}

/** Where the value of `tag` sits in the directory at `ifd` (inline). */
function entryValuePosition(bytes: Uint8Array, ifd: number, tag: number): number {
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < u64(bytes, ifd); i++) if (view.getUint16(ifd + 8 + i * 20, true) === tag) return ifd + 8 + i * 20 + 12;
  throw new Error(`no tag ${tag} at ${ifd}`);
}

describe('levels predicted between the first directory and the tail’s (libvips, tifffile layouts)', () => {
  it('N=11 opens in 2 round trips with the 8 levels libvips wrote, and each predicted level’s tiles are the ones libvips reads', async () => {
    const source = new RoundTripSource(new NodeFileSource(N11()));
    const slide = await openSlide(source);
    expect(source.rounds).toBe(2);
    const pages = await Promise.all(Array.from({ length: 8 }, (_, page) => sharp(N11(), { page, limitInputPixels: false }).metadata()));
    expect(slide.levels.map((l) => [l.width, l.height])).toEqual(pages.map((p) => [p.width, p.height]));
    for (const level of [1, 2, 3]) {
      const [x, y] = [3, 2];
      const tile = await slide.readTile(level, x, y);
      const ours = await sharp(Buffer.from(tile.bytes)).raw().toBuffer();
      const theirs = await sharp(N11(), { page: level, limitInputPixels: false })
        .extract({ left: x * 256, top: y * 256, width: 256, height: 256 })
        .raw()
        .toBuffer();
      expect(ours.equals(theirs), `level ${level}`).toBe(true);
    }
    await slide.close();
  });

  it('a middle directory that is not the level its neighbours imply: that level’s reads fail as corrupt, saying so; the others read', async () => {
    const bytes = new Uint8Array(readFileSync(N11()));
    const level2 = directoryOffsets(bytes)[2]!;
    const width = entryValuePosition(bytes, level2, 256);
    expect(new DataView(bytes.buffer).getUint16(width, true)).toBe(6105);
    new DataView(bytes.buffer).setUint16(width, 6000, true);
    const slide = await openSlide(new MemorySource(bytes, 'damaged.tif'));
    expect(slide.levels[2]!.width).toBe(6105);
    await expect(slide.readTile(2, 0, 0)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('6105×8159 level the others imply') });
    expect((await slide.readTile(1, 0, 0)).codec).toBe('jpeg');
    expect((await slide.readTile(3, 0, 0)).codec).toBe('jpeg');
    await slide.close();
  });

  it('a chain broken between them (a next pointer past the end): the predicted levels’ reads fail as truncated, nothing hangs', async () => {
    const bytes = new Uint8Array(readFileSync(N11()));
    const [, level1] = directoryOffsets(bytes);
    new DataView(bytes.buffer).setBigUint64(nextPointer(bytes, level1!), BigInt(bytes.length + 10), true);
    const slide = await openSlide(new MemorySource(bytes, 'broken-chain.tif'));
    expect(slide.levels).toHaveLength(8);
    for (const level of [1, 2, 3]) await expect(slide.readTile(level, 0, 0)).rejects.toMatchObject({ code: 'truncated' });
    expect((await slide.readTile(0, 0, 0)).codec).toBe('jpeg');
    expect((await slide.readTile(4, 0, 0)).codec).toBe('jpeg');
    await slide.close();
  });
});

describe('finding the chain that ends in the tail (tailChainHead)', () => {
  const tiled = (width: number) => [
    { tag: 256, type: 4, values: [width] },
    { tag: 257, type: 4, values: [width] },
    { tag: 259, type: 3, values: [7] },
    { tag: 322, type: 3, values: [256] },
    { tag: 323, type: 3, values: [256] },
    { tag: 324, type: 4, values: [8] },
    { tag: 325, type: 4, values: [1] },
  ];
  const ctx = { littleEndian: true, bigTiff: false, ndpi: false };

  it('finds the first directory of the chain, in either TIFF and byte order, from any start', () => {
    for (const bigTiff of [false, true]) {
      for (const littleEndian of [true, false]) {
        const { bytes, ifdOffsets } = buildTiffWithOffsets([{ entries: tiled(1024) }, { entries: tiled(512) }, { entries: tiled(256) }], {
          bigTiff,
          littleEndian,
        });
        const order = { ...ctx, bigTiff, littleEndian };
        expect(tailChainHead(bytes, 0, order)).toBe(ifdOffsets[0]);
        // Tails that start on an even and on an odd byte (directories stay on even offsets of the file).
        for (const from of [ifdOffsets[1]! - 2, ifdOffsets[1]! - 1]) expect(tailChainHead(bytes.subarray(from), from, order)).toBe(ifdOffsets[1]);
      }
    }
  });

  it('finds directories of 7 and of 256 entries (the most it accepts) amid tile data without zero bytes', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => ({ tag: 400 + i, type: 3, values: [1] }));
    const sized = (count: number) => [...tiled(512), ...filler(count - 7)].sort((a, b) => a.tag - b.tag);
    const payload = new Uint8Array(64 * 1024).map((_, i) => 1 + (((i * 2654435761) >>> 24) % 255));
    for (const count of [7, 256]) {
      for (const bigTiff of [false, true]) {
        const { bytes, ifdOffsets } = buildTiffWithOffsets([{ entries: sized(count) }], { bigTiff, payload });
        expect(tailChainHead(bytes, 0, { ...ctx, bigTiff })).toBe(ifdOffsets[0]);
      }
    }
  });

  it('finds nothing in random bytes, in a chain that loops, or where two chains end there; never in NDPI', () => {
    const random = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
    expect(tailChainHead(random, 0, ctx)).toBeUndefined();
    expect(tailChainHead(random, 0, { ...ctx, bigTiff: true })).toBeUndefined();
    const looped = buildTiffWithOffsets([{ entries: tiled(1024) }, { entries: tiled(512), next: 8 }]);
    expect(tailChainHead(looped.bytes, 0, ctx)).toBeUndefined();
    const two = buildTiffWithOffsets([{ entries: tiled(1024), next: 0 }, { entries: tiled(512) }]);
    expect(tailChainHead(two.bytes, 0, ctx)).toBeUndefined();
    const one = buildTiffWithOffsets([{ entries: tiled(1024) }]);
    expect(tailChainHead(one.bytes, 0, { ...ctx, ndpi: true })).toBeUndefined();
  });
});
