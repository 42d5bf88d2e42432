import type { ZSTDDecoder } from 'zstddec';
import { SlideError } from '../errors.js';
import { ZSTD_MAX_BLOCK, zstdBounds } from './zstd-bounds.js';

/** This thread's decoder, loaded with the first ZSTD tile (or the open's warm-up), never for a slide without one. */
let decoder: Promise<ZSTDDecoder> | undefined;

/**
 * ZSTD's reference decoder compiled to WASM (zstddec), ready to use: six times faster than fzstd in JavaScript on the
 * ZSTD fixture's 1024² tiles (`npm run bench:zstd`). A failed load is `unsupported_compression`; the next tile tries
 * again.
 */
export function loadZstd(): Promise<ZSTDDecoder> {
  decoder ??= import('zstddec')
    .then(async ({ ZSTDDecoder }) => {
      const loaded = new ZSTDDecoder();
      await loaded.init();
      return loaded;
    })
    .catch((cause: unknown) => {
      decoder = undefined;
      throw new SlideError('unsupported_compression', `The ZSTD decoder failed to load: ${String(cause)}.`, { cause });
    });
  return decoder;
}

/**
 * A ZSTD tile's bytes decompressed: at most `expected` bytes. Its frame and block headers are measured first
 * (zstdBounds: structure that is not ZSTD, or a declared size its blocks cannot make, is `corrupt`), and the
 * decoder writes into a buffer no larger than what the blocks can make or the tile's size plus a block: one-shot
 * decompression uses that buffer as its window, so a frame's declared window never makes a buffer of its own (one over
 * 1 GiB, more than a 32-bit decoder takes, is refused).
 */
export async function decompressZstd(input: Uint8Array, expected: number): Promise<Uint8Array> {
  const capacity = Math.min(zstdBounds(input).outputBound, expected + ZSTD_MAX_BLOCK);
  if (capacity === 0) return new Uint8Array(0);
  const out = (await loadZstd()).decode(input, capacity);
  // zstddec returns no bytes when ZSTD_decompress fails (its result is then an error code, read as a negative size).
  if (out.length === 0) {
    throw new SlideError('corrupt', `ZSTD data is corrupt: the reference decoder refused it (${input.length} bytes in). The file is damaged.`);
  }
  return out.length > expected ? out.subarray(0, expected) : out;
}
