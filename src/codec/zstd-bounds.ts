import { SlideError } from '../errors.js';

/** RFC 8878: a compressed block regenerates at most 128 KiB. */
export const ZSTD_MAX_BLOCK = 128 * 1024;

export interface ZstdBounds {
  /** The most the frames can decompress to, from their block headers alone. */
  outputBound: number;
}

/**
 * Walks the frame and block headers of ZSTD data (RFC 8878) without decompressing, so a hostile tile is refused
 * before any buffer is made for it: a 300-byte frame may declare a 2 GB content size, and its blocks say how much they
 * can regenerate. Structure that is not ZSTD is `corrupt`.
 */
export function zstdBounds(data: Uint8Array): ZstdBounds {
  let at = 0;
  let outputBound = 0;
  const need = (n: number) => {
    if (at + n > data.length) throw corrupt('a frame ends early');
  };
  const le = (offset: number, n: number) => {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + data[offset + i]!;
    return v;
  };
  while (at < data.length) {
    need(4);
    const magic = le(at, 4);
    at += 4;
    if (magic >>> 4 === 0x184d2a5) {
      // A skippable frame: its length, then that many bytes no decoder reads.
      need(4);
      at += 4 + le(at, 4);
      continue;
    }
    if (magic !== 0xfd2fb528) throw corrupt(`a frame starts with 0x${magic.toString(16)}, not the ZSTD magic number`);
    need(1);
    const descriptor = data[at++]!;
    if (descriptor & 0x08) throw corrupt('a frame header sets its reserved bit');
    const singleSegment = (descriptor >> 5) & 1;
    const sizeFlag = descriptor >> 6;
    // The window descriptor (none in a single-segment frame) and the dictionary id: one-shot decoding needs neither.
    at += 1 - singleSegment + [0, 1, 2, 4][descriptor & 3]!;
    const sizeBytes = [singleSegment, 2, 4, 8][sizeFlag]!;
    need(sizeBytes);
    const declared = sizeBytes === 0 ? undefined : le(at, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
    at += sizeBytes;
    let frameBound = 0;
    for (let last = 0; !last; ) {
      need(3);
      const header = le(at, 3);
      at += 3;
      last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw corrupt('a block has the reserved type');
      if (size > ZSTD_MAX_BLOCK) throw corrupt(`a block of ${size} bytes is larger than ZSTD allows`);
      // Raw and compressed blocks carry `size` bytes; an RLE block carries one byte, repeated `size` times.
      const carried = type === 1 ? 1 : size;
      need(carried);
      at += carried;
      frameBound += type === 2 ? ZSTD_MAX_BLOCK : size;
    }
    if (declared !== undefined && declared > frameBound) throw corrupt(`a frame declares ${declared} bytes, but its blocks make at most ${frameBound}`);
    if (descriptor & 0x04) at += 4;
    outputBound += declared ?? frameBound;
  }
  return { outputBound };
}

const corrupt = (what: string) => new SlideError('corrupt', `ZSTD data is corrupt: ${what}. The file is damaged.`);
