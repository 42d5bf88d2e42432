import type { DecodedImage } from '../codec/types.js';
import type { ColourTransform } from '../colour/colour-transform.js';
import { loadSharp } from '../optional-dependency.js';

/** Writes RGBA pixels as PNG (sharp, which the Node side already uses for JPEG). Opaque images drop alpha. */
export async function writePng(image: DecodedImage, path: string): Promise<void> {
  const sharp = await loadSharp();
  let opaque = true;
  for (let i = 3; i < image.data.length && opaque; i += 4) opaque = image.data[i] === 255;
  let png = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 4 } });
  if (opaque) png = png.removeAlpha();
  await png.png().toFile(path);
}

/** What the CLI says about colour after writing a PNG with `--srgb` (`colour`: the slide's transform, if it has a profile). */
export function colourNote(srgb: boolean, colour: ColourTransform | undefined): string {
  if (!srgb) return '';
  return colour ? ` (converted to sRGB from "${colour.description}", ${colour.intent})` : ' (the slide has no ICC profile: its stored values, taken as sRGB)';
}
