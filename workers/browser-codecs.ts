import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import { hostCodecs } from '../src/codec/host-codecs.js';
import type { OpenJpegModule } from '../src/codec/jp2k.js';
import type { CodecRegistry } from '../src/codec/registry.js';
import type { DecodedSamples } from '../src/codec/types.js';
import { SlideError } from '../src/errors.js';
import type { EncodedTile } from '../src/slide/types.js';

/** The browser's own JPEG decoder (libjpeg-turbo in Chromium), off the main thread, without colour management. */
export async function jpegBitmap(tile: EncodedTile): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(new Blob([tile.bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch (cause) {
    throw new SlideError(
      'corrupt',
      `A JPEG tile could not be decoded by the browser (${cause instanceof Error ? cause.message : String(cause)}). The file is damaged.`,
      { cause },
    );
  }
}

/** Reads an ImageBitmap's pixels back through an OffscreenCanvas. */
export function bitmapPixels(bitmap: ImageBitmap): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
}

async function decodeJpegBrowser(tile: EncodedTile): Promise<DecodedSamples> {
  const bitmap = await jpegBitmap(tile);
  try {
    return { width: bitmap.width, height: bitmap.height, samples: bitmapPixels(bitmap), channels: 4, colour: 'rgba' };
  } finally {
    bitmap.close();
  }
}

/** Loaded on the first JPEG 2000 tile only: the glue is a chunk of its own and the wasm a separate asset. */
async function loadOpenJpeg(): Promise<OpenJpegModule> {
  const { default: openJpegFactory } = await import('@cornerstonejs/codec-openjpeg/decodewasmjs');
  const factory = openJpegFactory as unknown as (o: object) => Promise<OpenJpegModule>;
  return factory({
    locateFile: (file: string) => (file.endsWith('.wasm') ? openJpegWasmUrl : file),
    print: () => undefined,
    printErr: () => undefined,
  });
}

/** The codecs of the browser worker: the lossless ones, the browser's JPEG, OpenJPEG in WASM. */
export function browserCodecs(): CodecRegistry {
  return hostCodecs(decodeJpegBrowser, loadOpenJpeg);
}
