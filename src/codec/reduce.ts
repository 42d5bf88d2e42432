import type { DecodedImage } from './types.js';

/**
 * RGBA pixels averaged over `factor`×`factor` blocks (partial blocks at the right and bottom edges average the pixels
 * they have), cut to `width`×`height`: how a tile decoded at full size becomes a level that is 2, 4 or 8 times smaller.
 */
export function reduceImage(image: DecodedImage, factor: number, width: number, height: number): DecodedImage {
  const { data, width: inWidth, height: inHeight } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = y * factor;
    const y1 = Math.min(y0 + factor, inHeight);
    for (let x = 0; x < width; x++) {
      const x0 = x * factor;
      const x1 = Math.min(x0 + factor, inWidth);
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let i = (sy * inWidth + x0) * 4, end = (sy * inWidth + x1) * 4; i < end; i += 4) {
          r += data[i]!;
          g += data[i + 1]!;
          b += data[i + 2]!;
          a += data[i + 3]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = n > 0 ? a / n : 0;
    }
  }
  return { width, height, data: out };
}
