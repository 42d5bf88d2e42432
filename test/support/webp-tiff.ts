import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { companionFile } from './fixtures.js';
import type { RgbImage } from './images.js';

/**
 * A tiled TIFF with lossless WebP tiles (compression 50001), made by libvips from real/boxes.png, which is then the
 * exact reference for its pixels. No fixture holds WebP tiles; libvips (libvips-tools, installed by .ci/run) writes them.
 */
export function webpTiff(dir = mkdtempSync(join(tmpdir(), 'wsi-webp-'))): { dir: string; file: string; path: string } {
  const file = 'boxes-webp.tif';
  const path = join(dir, file);
  if (!existsSync(path)) {
    execFileSync('vips', [
      'tiffsave',
      companionFile('real/boxes.png'),
      path,
      '--tile',
      '--tile-width',
      '64',
      '--tile-height',
      '64',
      '--compression',
      'webp',
      '--lossless',
    ]);
  }
  return { dir, file, path };
}

/** boxes.png as RGB (a 2-bit palette PNG, which libvips through sharp expands). */
export async function boxesRgb(): Promise<RgbImage> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(companionFile('real/boxes.png')).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

/** The region of a tile (x, y) of 64-pixel tiles, cut at the image edge. */
export function tileOf(image: RgbImage, x: number, y: number, size = 64): RgbImage {
  const width = Math.min(size, image.width - x * size);
  const height = Math.min(size, image.height - y * size);
  const rgb = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y * size + row) * image.width + x * size) * 3;
    rgb.set(image.rgb.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, rgb };
}
