import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeFileSource, openSlide } from '../src/node.js';
import { fixturePath } from './support/fixtures.js';

/** The ZSTD fixture's first tile, its size in samples, and its samples as zstd's reference decoder gives them. */
async function firstTile() {
  const { decompressZstd } = await import('../src/codec/zstd.js');
  const slide = await openSlide(new NodeFileSource(fixturePath('yb10kx5k.zstd.tiff')));
  const tile = await slide.readTile(0, 0, 0);
  await slide.close();
  const expected = tile.stored.width * tile.stored.height * tile.layout.samplesPerPixel;
  return { tile, expected, reference: await decompressZstd(tile.bytes, expected) };
}

describe('where zstd’s WASM decoder cannot load (a page whose CSP forbids its data: URL)', () => {
  afterEach(() => {
    vi.doUnmock('zstddec');
    vi.resetModules();
  });

  it('ZSTD tiles decode in JavaScript instead, to the same samples', async () => {
    const { tile, expected, reference } = await firstTile();
    expect(reference.length).toBe(expected);
    vi.resetModules();
    vi.doMock('zstddec', () => ({
      ZSTDDecoder: class {
        init() {
          return Promise.reject(new TypeError('Failed to fetch: refused by connect-src'));
        }
      },
    }));
    const { decompressZstd } = await import('../src/codec/zstd.js');
    expect(await decompressZstd(tile.bytes, expected)).toEqual(reference);
  });

  it('damaged data is still corrupt through the JavaScript decoder', async () => {
    vi.doMock('zstddec', () => ({
      ZSTDDecoder: class {
        init = () => Promise.reject(new Error('blocked'));
      },
    }));
    const { decompressZstd } = await import('../src/codec/zstd.js');
    const garbage = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 16, 0x45, 0x00, 0x00, 0xff, 0x13, 0x37, 0x00, 0xaa, 0x55, 0x01, 0xfe]);
    await expect(decompressZstd(garbage, 16)).rejects.toMatchObject({ code: 'corrupt' });
  });
});
