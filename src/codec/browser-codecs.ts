import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import openJphWasmUrl from '@cornerstonejs/codec-openjph/wasm?url';
import { hasIccProfile, withIccSegments } from '../colour/jpeg-icc.js';
import type { OutputColourSpace } from '../colour/output-space.js';
import { SlideError, throwIfAborted } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import { hostCodecs } from './host-codecs.js';
import type { CharlsModule, OpenJpegModule, OpenJphModule } from './wasm-decoder.js';
import type { CodecRegistry } from './registry.js';
import type { DecodedSamples, DecodeOptions } from './types.js';

const MIME = { jpeg: 'image/jpeg', webp: 'image/webp' } as const;

/**
 * The browser's own decoders (libjpeg-turbo and libwebp in Chromium), off the main thread. Without `iccSegments` the
 * stored values come out as they are; with them (a JPEG only) the profile they carry is put in the stream and the
 * decoder converts from it, and the bitmap it gives is tagged with the profile's colour space.
 */
export async function nativeBitmap(tile: Pick<EncodedTile, 'codec' | 'bytes'>, iccSegments?: Uint8Array): Promise<ImageBitmap> {
  const kind = tile.codec === 'webp' ? 'webp' : 'jpeg';
  const blob = iccSegments ? withIccSegments(tile.bytes, iccSegments) : new Blob([tile.bytes as Uint8Array<ArrayBuffer>], { type: MIME[kind] });
  try {
    // JPEG is opaque, so premultiplying changes no value; converting an unpremultiplied bitmap costs Skia ~25% more.
    const options: ImageBitmapOptions = iccSegments ? { colorSpaceConversion: 'default' } : { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };
    return await createImageBitmap(blob, options);
  } catch (cause) {
    const name = kind === 'webp' ? 'WebP' : 'JPEG';
    throw new SlideError(
      'corrupt',
      `A ${name} tile could not be decoded by the browser (${cause instanceof Error ? cause.message : String(cause)}). The file is damaged.`,
      {
        cause,
      },
    );
  }
}

/**
 * A JPEG tile converted by the browser's decoder from the profile in `iccSegments` to `output`, as a bitmap in that
 * space. Drawn once here into a canvas of that space: a tagged bitmap would be converted again on every frame it is
 * drawn in (twice the canvas drawer's frame time in software, measured). Crops a padded edge tile on the way.
 */
export async function convertedJpegBitmap(
  tile: Pick<EncodedTile, 'codec' | 'bytes' | 'width' | 'height'>,
  iccSegments: Uint8Array,
  output: OutputColourSpace,
  signal?: AbortSignal,
): Promise<ImageBitmap> {
  const tagged = await nativeBitmap(tile, iccSegments);
  try {
    throwIfAborted(signal);
    const canvas = new OffscreenCanvas(tile.width, tile.height);
    canvas.getContext('2d', { colorSpace: output })!.drawImage(tagged, 0, 0);
    return canvas.transferToImageBitmap();
  } finally {
    tagged.close();
  }
}

/** Reads an ImageBitmap's pixels back through an OffscreenCanvas, as values in `space` (sRGB unless asked). */
export function bitmapPixels(bitmap: ImageBitmap, space: OutputColourSpace = 'srgb'): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true, colorSpace: space })!;
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: space }).data;
}

async function decodeNative(tile: EncodedTile): Promise<DecodedSamples> {
  const bitmap = await nativeBitmap(tile);
  try {
    return { width: bitmap.width, height: bitmap.height, samples: bitmapPixels(bitmap), channels: 4, colour: 'rgba' };
  } finally {
    bitmap.close();
  }
}

/** A WASM codec's glue (a chunk of its own, loaded on the first tile that needs it) pointed at its wasm asset. */
async function loadWasm<M>(glue: Promise<{ default: unknown }>, wasmUrl: string): Promise<M> {
  const factory = (await glue).default as (o: object) => Promise<M>;
  return factory({ locateFile: (file: string) => (file.endsWith('.wasm') ? wasmUrl : file), print: () => undefined, printErr: () => undefined });
}

/** The codecs of the browser worker: the lossless ones, the browser's JPEG and WebP (straight to a bitmap when drawing), OpenJPEG, OpenJPH and CharLS in WASM. */
export function browserCodecs(): CodecRegistry {
  // The registry passes its read options second, where nativeBitmap takes a profile: stored values only here.
  const native = { samples: decodeNative, bitmap: (tile: EncodedTile) => nativeBitmap(tile) };
  return hostCodecs(
    { jpeg: native, webp: native },
    {
      openJpeg: () => loadWasm<OpenJpegModule>(import('@cornerstonejs/codec-openjpeg/decodewasmjs'), openJpegWasmUrl),
      charls: () => loadWasm<CharlsModule>(import('@cornerstonejs/codec-charls/decodewasmjs'), charlsWasmUrl),
      openJph: () => loadWasm<OpenJphModule>(import('@cornerstonejs/codec-openjph/wasmjs'), openJphWasmUrl),
    },
  );
}

/**
 * A tile as an ImageBitmap at its true size: through the codec's direct route where it has one (no pixel copy;
 * padded edge tiles cropped on the way), else from its decoded pixels — always so when they are colour-converted or reduced.
 */
export async function decodeBitmap(codecs: CodecRegistry, tile: EncodedTile, opts: DecodeOptions = {}): Promise<ImageBitmap> {
  // A transform that changes nothing (an sRGB profile) keeps the direct route.
  const converting = opts.colour !== undefined && !opts.colour.identity;
  // Where the browser's decoder was found to convert as LittleCMS does, JPEG tiles take that route: at native speed.
  const iccSegments = converting && tile.codec === 'jpeg' && !tile.missing && !tile.reduce ? opts.colour?.jpegIccSegments : undefined;
  if (iccSegments && !hasIccProfile(tile.bytes)) return convertedJpegBitmap(tile, iccSegments, opts.colour!.output, opts.signal);
  const direct = tile.missing || converting || tile.reduce ? undefined : (await codecs.codec(tile.codec)).bitmap;
  if (direct) {
    const full = await direct(tile, opts);
    if (full.width === tile.width && full.height === tile.height) return full;
    try {
      throwIfAborted(opts.signal);
      return await createImageBitmap(full, 0, 0, tile.width, tile.height);
    } finally {
      full.close();
    }
  }
  const image = await codecs.decode(tile, opts);
  throwIfAborted(opts.signal);
  // Converted pixels are in the transform's output space; the bitmap is tagged with it, so a Display P3 canvas draws
  // them as they are (and an sRGB one would convert them).
  const colorSpace = converting ? opts.colour!.output : 'srgb';
  return createImageBitmap(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height, { colorSpace }));
}
