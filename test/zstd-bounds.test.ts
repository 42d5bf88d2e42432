import { describe, expect, it } from 'vitest';
import { decompressBlock } from '../src/codec/samples-decoder.js';
import { zstdBounds } from '../src/codec/zstd-bounds.js';
import { NodeFileSource, openSlide } from '../src/node.js';
import type { EncodedTile } from '../src/slide/types.js';
import { fixturePath } from './support/fixtures.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A block header: last flag, type (0 raw, 1 RLE, 2 compressed, 3 reserved) and size, little-endian in 3 bytes. */
const block = (last: boolean, type: number, size: number) => {
  const v = (size << 3) | (type << 1) | (last ? 1 : 0);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
};
/** One frame of one RLE block (`size` copies of `byte`) behind a frame header of the given descriptor bytes. */
const rleFrame = (header: number[], size: number, byte: number) => Uint8Array.from([...MAGIC, ...header, ...block(true, 1, size), byte]);
const tileOf = (bytes: Uint8Array, width: number, height: number): EncodedTile =>
  ({ codec: 'zstd', bytes, width, height, stored: { width, height } }) as unknown as EncodedTile;

describe('ZSTD frames are measured from their headers before any buffer is made', () => {
  it('a real tile: what its blocks can regenerate covers what it does', async () => {
    const slide = await openSlide(new NodeFileSource(fixturePath('yb10kx5k.zstd.tiff')));
    const tile = await slide.readTile(0, 0, 0);
    const expected = tile.stored.width * tile.stored.height * tile.layout.samplesPerPixel;
    const bounds = zstdBounds(tile.bytes);
    expect(bounds.outputBound).toBeGreaterThanOrEqual(expected);
    expect((await decompressBlock(tile, expected)).length).toBe(expected);
    await slide.close();
  });

  it('a 1 GiB window declared by a 12-byte frame is decoded into the tile’s own bytes, not a window-sized buffer', async () => {
    // Window descriptor 0xa0: exponent 20, 2^30 bytes, the largest a 32-bit (WASM) ZSTD decoder accepts.
    const frame = rleFrame([0x00, 0xa0], 64 * 64, 0x7f);
    expect(zstdBounds(frame)).toEqual({ outputBound: 4096 });
    const before = process.memoryUsage().arrayBuffers;
    const samples = await decompressBlock(tileOf(frame, 64, 64), 4096);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect([samples.length, samples.every((v) => v === 0x7f)]).toEqual([4096, true]);
  });

  it('a 2 GiB window, more than a 32-bit decoder takes, is refused as corrupt without a buffer for it', async () => {
    // Window descriptor 0xa8: exponent 21, 2^31 bytes. No encoder writes it for a tile; ZSTD's decoder refuses it.
    const frame = rleFrame([0x00, 0xa8], 64 * 64, 0x7f);
    const before = process.memoryUsage().arrayBuffers;
    await expect(decompressBlock(tileOf(frame, 64, 64), 4096)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/refused/) });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a compressed block of garbage behind sound headers is refused by the decoder as corrupt', async () => {
    const garbage = Uint8Array.from([...MAGIC, 0x20, 16, ...block(true, 2, 8), 0xff, 0x13, 0x37, 0x00, 0xaa, 0x55, 0x01, 0xfe]);
    expect(zstdBounds(garbage).outputBound).toBe(16);
    await expect(decompressBlock(tileOf(garbage, 4, 4), 16)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/refused/) });
  });

  it('a declared content size of 2^40 bytes for 16 bytes of blocks is corrupt, not an allocation', async () => {
    // Single segment, 8-byte content size.
    const frame = rleFrame([0xe0, 0, 0, 0, 0, 0, 1, 0, 0], 16, 1);
    expect(() => zstdBounds(frame)).toThrow(/declares 1099511627776 bytes, but its blocks make at most 16/);
    await expect(decompressBlock(tileOf(frame, 4, 4), 16)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('a skippable frame before the data is passed over', async () => {
    const skippable = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9];
    const data = Uint8Array.from([...skippable, ...rleFrame([0x20, 16], 16, 5)]);
    expect(zstdBounds(data).outputBound).toBe(16);
    expect(Array.from(await decompressBlock(tileOf(data, 4, 4), 16))).toEqual(new Array(16).fill(5));
  });

  it.each([
    ['not ZSTD at all', Uint8Array.from([1, 2, 3, 4, 5, 6])],
    ['cut inside the frame header', Uint8Array.from([...MAGIC, 0x00])],
    ['cut inside a block', Uint8Array.from([...MAGIC, 0x00, 0x50, ...block(true, 0, 100), 1, 2, 3])],
    ['a block of the reserved type', Uint8Array.from([...MAGIC, 0x00, 0x50, ...block(true, 3, 1), 0])],
    ['the reserved header bit set', rleFrame([0x08, 0x50], 4, 0)],
    ['a block over 128 KiB', Uint8Array.from([...MAGIC, 0x00, 0x50, ...block(true, 1, 200_000), 0])],
  ])('%s: corrupt, with what is wrong', async (_what, data) => {
    expect(() => zstdBounds(data)).toThrow(expect.objectContaining({ code: 'corrupt', message: expect.stringMatching(/^ZSTD data is corrupt: /) }));
    await expect(decompressBlock(tileOf(data, 2, 2), 4)).rejects.toMatchObject({ code: 'corrupt' });
  });
});
