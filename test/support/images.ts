import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import sharp from 'sharp';

/** RGB pixels, row-major, 3 bytes each. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export function readPngRgb(path: string): RgbImage {
  const png = decode(readFileSync(path));
  if (png.depth !== 8) throw new Error(`${path}: ${png.depth}-bit PNG`);
  const channels = png.channels;
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = png.data[i * channels + (channels < 3 ? 0 : c)]!;
  }
  return { width: png.width, height: png.height, rgb };
}

const DJPEG = '/usr/bin/djpeg';

/** Decodes a JPEG with libjpeg-turbo's djpeg (Debian's libjpeg-turbo-progs): the third-party check of our splice. */
export function djpegRgb(jpegPath: string): RgbImage {
  if (!existsSync(DJPEG)) throw new Error(`${DJPEG} is missing: apt-get install -y libjpeg-turbo-progs (.ci/run does this)`);
  const ppm = execFileSync(DJPEG, ['-pnm', jpegPath], { maxBuffer: 256 * 1024 * 1024 });
  // Binary PPM: "P6\n<w> <h>\n255\n" then RGB bytes.
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`djpeg did not write a P6 image for ${jpegPath}`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, rgb: new Uint8Array(ppm.subarray(header[0].length)) };
}

/** The top-left width×height of an image (a padded edge tile cut to the image's edge). */
export function crop(image: RgbImage, width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) rgb.set(image.rgb.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { width, height, rgb };
}

export function maxAbsDiff(a: RgbImage, b: RgbImage): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let max = 0;
  for (let i = 0; i < a.rgb.length; i++) max = Math.max(max, Math.abs(a.rgb[i]! - b.rgb[i]!));
  return max;
}

/** An HTTP answer's JPEG (or any image sharp reads) as RGB. */
export async function jpegRgb(response: Response): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(await response.arrayBuffer()))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}
