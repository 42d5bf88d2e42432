import type { ReadOptions } from '../source/range-source.js';
import type { ColourTransform } from '../colour/colour-transform.js';
import type { EncodedTile } from '../slide/types.js';
import type { OutputColourSpace } from '../colour/output-space.js';

/** Decoded pixels: RGBA, 8 bits per channel, row-major, at the tile's true (edge-cropped) size. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decoded pixels as the decode workers hand them out, with the space their values are in (an ICC transform's output, else sRGB). */
export interface TilePixels extends DecodedImage {
  colorSpace: OutputColourSpace;
}

/** Samples as a codec produced them, before cropping and conversion to RGBA. */
export interface DecodedSamples {
  width: number;
  height: number;
  /** Interleaved samples, `channels` per pixel, 8 bits each. */
  samples: Uint8Array | Uint8ClampedArray;
  channels: number;
  /** Colour of the samples: decoders that already produce RGB(A) say so, whatever the TIFF said. */
  colour: 'rgb' | 'rgba' | 'ycbcr' | 'grey' | 'grey-inverted';
}

/** Turns one encoded tile into samples. Registered per codec, loaded on first use. */
export type TileDecoder = (tile: EncodedTile, opts: ReadOptions) => Promise<DecodedSamples>;

/** How a tile is decoded: abortable, and converted to sRGB on the way where the slide has a profile that is applied. */
export interface DecodeOptions extends ReadOptions {
  colour?: ColourTransform;
}
