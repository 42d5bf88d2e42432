import { SlideError } from '../errors.js';
import { ZSTD_MAX_BLOCK, zstdBounds } from './zstd-bounds.js';

/** Decompresses ZSTD data into at most `capacity` bytes; throws on data it cannot decode. */
type ZstdDecompress = (input: Uint8Array, capacity: number) => Uint8Array;

/** This thread's decoder, loaded with the first ZSTD tile (or the open's warm-up), never for a slide without one. */
let decompressor: Promise<ZstdDecompress> | undefined;

/**
 * zstd's reference decoder compiled to WASM (zstddec): 3.2 ms a 1024² tile of the ZSTD fixture, against fzstd's 13 ms
 * sizing its own buffers and 63 ms writing into a bounded one (`npm run bench:zstd`). zstddec fetches its WASM from a
 * `data:` URL, which a page's Content-Security-Policy may forbid (`connect-src` without `data:`, or no
 * `'wasm-unsafe-eval'`); fzstd, in JavaScript, decodes there instead, into the same bounded buffer. Should neither load,
 * the tile is `unsupported_compression` and the next tile tries again.
 */
export function loadZstd(): Promise<ZstdDecompress> {
  decompressor ??= referenceDecoder()
    .catch(() => javascriptDecoder())
    .catch((cause: unknown) => {
      decompressor = undefined;
      throw new SlideError('unsupported_compression', `The ZSTD decoder failed to load: ${String(cause)}.`, { cause });
    });
  return decompressor;
}

async function referenceDecoder(): Promise<ZstdDecompress> {
  const { ZSTDDecoder } = await import('zstddec');
  const decoder = new ZSTDDecoder();
  await decoder.init();
  return (input, capacity) => {
    const out = decoder.decode(input, capacity);
    // zstddec returns no bytes when ZSTD_decompress fails (its result is then an error code, read as a negative size).
    if (out.length === 0) throw new Error('the reference decoder refused it');
    return out;
  };
}

async function javascriptDecoder(): Promise<ZstdDecompress> {
  const { decompress } = await import('fzstd');
  return (input, capacity) => decompress(input, new Uint8Array(capacity));
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
  const decompress = await loadZstd();
  let out: Uint8Array;
  try {
    out = decompress(input, capacity);
  } catch (cause) {
    throw new SlideError('corrupt', `ZSTD data is corrupt (${cause instanceof Error ? cause.message : String(cause)}). The file is damaged.`, { cause });
  }
  return out.length > expected ? out.subarray(0, expected) : out;
}
