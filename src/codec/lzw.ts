import { SlideError } from '../errors.js';

const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

/**
 * TIFF LZW (TIFF 6.0 §13): MSB-first codes of 9–12 bits, with the "early change" of code width one code
 * before the table fills, as libtiff writes it. `expected` bounds the output so a hostile stream cannot
 * grow it without limit.
 */
export function decodeLzw(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  // The table holds each code's string as (prefix code, last byte, length); strings are rebuilt backwards.
  const prefix = new Uint16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let previous = -1;
  let written = 0;
  let bitPos = 0;
  const totalBits = input.length * 8;

  const emit = (code: number): number => {
    const n = length[code]!;
    if (written + n > expected) return -1;
    let c = code;
    for (let i = n - 1; i >= 0; i--) {
      out[written + i] = suffix[c]!;
      c = prefix[c]!;
    }
    written += n;
    return out[written - n]!;
  };

  while (bitPos + width <= totalBits) {
    // Read `width` bits MSB-first (at most 12, so three bytes suffice).
    const byte = bitPos >>> 3;
    const word = (input[byte]! << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0);
    const code = (word >>> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      previous = -1;
      continue;
    }
    let first: number;
    if (previous === -1) {
      if (code > 255) throw corrupt(`first code ${code} after a clear`);
      first = emit(code);
    } else if (code < next) {
      first = emit(code);
      if (first >= 0 && next < MAX_CODES) addCode(previous, first);
    } else if (code === next) {
      // KwKwK: the new string is the previous one plus its own first byte.
      const start = written;
      const head = emit(previous);
      if (head < 0 || written >= expected) break;
      out[written++] = out[start]!;
      first = head;
      if (next < MAX_CODES) addCode(previous, out[start]!);
    } else {
      throw corrupt(`code ${code} before it was defined (next is ${next})`);
    }
    if (first < 0) break;
    previous = code;
    // Early change: widen one code before the current width is exhausted.
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return written === expected ? out : out.subarray(0, written);

  function addCode(prev: number, byte: number): void {
    prefix[next] = prev;
    suffix[next] = byte;
    length[next] = length[prev]! + 1;
    next++;
  }
}

function corrupt(what: string): SlideError {
  return new SlideError('corrupt', `LZW data is corrupt (${what}). The file is damaged.`);
}
