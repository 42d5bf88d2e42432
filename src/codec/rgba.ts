import { SlideError } from '../errors.js';
import type { DecodedImage, DecodedSamples } from './types.js';

/**
 * YCbCr→RGB with the JFIF/BT.601 full-range equations in libjpeg's fixed-point form (16 fractional bits,
 * rounded), the arithmetic OpenSlide's JPEG 2000 path uses for Aperio 33003.
 */
const SCALE = 16;
const HALF = 1 << (SCALE - 1);
const fix = (x: number) => Math.round(x * (1 << SCALE));
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + HALF) >> SCALE;
  CB_B[i] = (fix(1.772) * x + HALF) >> SCALE;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + HALF;
}

/** Crops the decoded samples to the tile's true size and converts them to RGBA. */
export function toRgba(decoded: DecodedSamples, width: number, height: number): DecodedImage {
  const { samples, channels, colour } = decoded;
  if (decoded.width < width || decoded.height < height || samples.length < decoded.width * decoded.height * channels) {
    throw new SlideError('corrupt', `A tile decoded to ${decoded.width}×${decoded.height} pixels but ${width}×${height} were expected. The file is damaged.`);
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    let s = y * decoded.width * channels;
    let d = y * width * 4;
    for (let x = 0; x < width; x++, s += channels, d += 4) {
      switch (colour) {
        case 'grey':
          data[d] = data[d + 1] = data[d + 2] = samples[s]!;
          data[d + 3] = channels > 1 ? samples[s + 1]! : 255;
          break;
        case 'grey-inverted':
          data[d] = data[d + 1] = data[d + 2] = 255 - samples[s]!;
          data[d + 3] = 255;
          break;
        case 'ycbcr': {
          const yy = samples[s]!;
          const cb = samples[s + 1]!;
          const cr = samples[s + 2]!;
          data[d] = yy + CR_R[cr]!;
          data[d + 1] = yy + ((CB_G[cb]! + CR_G[cr]!) >> SCALE);
          data[d + 2] = yy + CB_B[cb]!;
          data[d + 3] = 255;
          break;
        }
        default:
          data[d] = samples[s]!;
          data[d + 1] = samples[s + 1]!;
          data[d + 2] = samples[s + 2]!;
          data[d + 3] = channels >= 4 ? samples[s + 3]! : 255;
      }
    }
  }
  return { width, height, data };
}

/** A fully transparent tile, for tiles the scanner never stored: OpenSlide draws nothing there too. */
export function transparent(width: number, height: number): DecodedImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

/** Undoes TIFF horizontal differencing (Predictor 2) on 8-bit interleaved samples, in place. */
export function undoHorizontalPredictor(samples: Uint8Array, width: number, height: number, channels: number): void {
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    const start = y * row;
    for (let i = start + channels; i < start + row; i++) samples[i] = (samples[i]! + samples[i - channels]!) & 0xff;
  }
}
