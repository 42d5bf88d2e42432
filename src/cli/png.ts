import type { DecodedImage } from '../codec/types.js';
import type { ColourTransform } from '../colour/icc-transform.js';
import { slideColourTransform } from '../colour/slide-colour.js';
import type { Slide } from '../slide/types.js';
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

/** `--srgb`: the slide's profile-to-sRGB transform, or 'none' when the slide has no profile (its values are taken as sRGB). */
export async function sRgbOf(slide: Slide): Promise<ColourTransform | 'none'> {
  return (await slideColourTransform(slide)) ?? 'none';
}

/** The pixels converted in place when a transform is given. */
export function inSrgb(image: DecodedImage, colour: ColourTransform | 'none' | undefined): DecodedImage {
  if (colour && colour !== 'none') {
    colour.apply(image.data);
    colour.close();
  }
  return image;
}

/** What the CLI says about colour after writing a PNG. */
export function colourNote(colour: ColourTransform | 'none' | undefined): string {
  if (colour === undefined) return '';
  return colour === 'none'
    ? ' (the slide has no ICC profile: its stored values, taken as sRGB)'
    : ` (converted to sRGB from "${colour.description}", ${colour.intent})`;
}
