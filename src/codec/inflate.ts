import { unzlibSync } from 'fflate';
import { SlideError } from '../errors.js';

/**
 * TIFF Deflate (8 and 32946) is a zlib stream. The platform's DecompressionStream is native code; fflate
 * covers hosts without it. The output is bounded: a hostile stream cannot inflate past `expected`.
 */
export async function inflate(input: Uint8Array, expected: number): Promise<Uint8Array> {
  try {
    if (typeof DecompressionStream === 'undefined') return unzlibSync(input, { out: new Uint8Array(expected) });
    const stream = new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
    const reader = stream.getReader();
    const out = new Uint8Array(expected);
    let written = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, expected - written);
      out.set(value.subarray(0, take), written);
      written += take;
      if (written === expected) {
        await reader.cancel();
        break;
      }
    }
    return out.subarray(0, written);
  } catch (cause) {
    throw new SlideError('corrupt', `Deflate data is corrupt (${cause instanceof Error ? cause.message : String(cause)}). The file is damaged.`, { cause });
  }
}
