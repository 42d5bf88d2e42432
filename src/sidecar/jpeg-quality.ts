/** The IJG standard luminance quantisation table (zig-zag order is irrelevant for a sum). */
const STANDARD_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103,
  77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const STANDARD_SUM = STANDARD_LUMA.reduce((a, b) => a + b, 0);

/**
 * The IJG quality (1–100) a JPEG was written with, estimated from its first quantisation table by
 * inverting libjpeg's scaling. Undefined when the stream has no 8-bit DQT.
 */
export function estimateJpegQuality(jpeg: Uint8Array): number | undefined {
  for (let pos = 2; pos + 4 < jpeg.length && jpeg[pos] === 0xff; ) {
    const marker = jpeg[pos + 1]!;
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    if (marker === 0xda) return undefined;
    if (marker === 0xdb && jpeg[pos + 4]! >> 4 === 0 && pos + 5 + 64 <= jpeg.length) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum += jpeg[pos + 5 + i]!;
      const scale = (sum * 100) / STANDARD_SUM;
      const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
      return Math.max(1, Math.min(100, Math.round(quality)));
    }
    pos += 2 + length;
  }
  return undefined;
}
