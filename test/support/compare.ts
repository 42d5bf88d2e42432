import type { TileCodec } from '../../src/slide/types.js';
import type { RgbImage } from './images.js';

export interface Difference {
  max: number;
  mean: number;
}

/** Per-channel absolute differences of two same-size RGB images. */
export function difference(a: RgbImage, b: RgbImage): Difference {
  if (a.width !== b.width || a.height !== b.height) return { max: Infinity, mean: Infinity };
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.rgb.length; i++) {
    const d = Math.abs(a.rgb[i]! - b.rgb[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.rgb.length };
}

/**
 * The tolerances: exact for lossless codecs, 1 level for JPEG 2000, mean 0.5 / max 8 for JPEG. Given a
 * codec, or a TIFF compression as the OpenSlide references list them.
 */
export function withinTolerance(codec: TileCodec | number, d: Difference): boolean {
  const lossy = typeof codec === 'number' ? { 7: 'jpeg', 33003: 'jp2k', 33005: 'jp2k' }[codec] : codec;
  if (lossy === 'jpeg') return d.mean <= 0.5 && d.max <= 8;
  if (lossy === 'jp2k') return d.max <= 1;
  return d.max === 0;
}

/** RGBA (as decoded) to RGB, for comparison with the reference PNGs. */
export function rgbaToRgb(width: number, height: number, rgba: ArrayLike<number>): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[i * 3] = rgba[i * 4]!;
    rgb[i * 3 + 1] = rgba[i * 4 + 1]!;
    rgb[i * 3 + 2] = rgba[i * 4 + 2]!;
  }
  return { width, height, rgb };
}
