import type { ColourTransform } from '../colour/colour-transform.js';
import type { OutputColourSpace } from '../colour/output-space.js';
import type { TilePixels } from './types.js';

/** The space decoded pixels are in: the transform's output where it converted them, else sRGB (an sRGB profile's identity transform changes nothing). */
export function pixelSpace(colour: ColourTransform | undefined): OutputColourSpace {
  return colour && !colour.identity ? colour.output : 'srgb';
}

/**
 * Pixels as an ImageBitmap tagged with their space, so a Display P3 canvas draws converted pixels as they are (and an
 * sRGB one would convert them).
 */
export function pixelsBitmap(pixels: TilePixels): Promise<ImageBitmap> {
  const { data, width, height, colorSpace } = pixels;
  return createImageBitmap(new ImageData(data as Uint8ClampedArray<ArrayBuffer>, width, height, { colorSpace }));
}
