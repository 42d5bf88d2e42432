import { hasIccProfile, withIccSegments } from '../colour/jpeg-icc.js';
import type { OutputColourSpace } from '../colour/output-space.js';
import { SlideError, throwIfAborted } from '../errors.js';
import { parseJpegFrame } from '../slide/jpeg-header.js';
import type { EncodedTile, TileCodec } from '../slide/types.js';
import { emscriptenModule } from './emscripten-module.js';
import { hostCodecs } from './host-codecs.js';
import type { CharlsModule, OpenJpegModule, OpenJphModule } from './wasm-decoder.js';
import type { CodecRegistry } from './registry.js';
import { pixelSpace, pixelsBitmap } from './pixels-bitmap.js';
import type { DecodedSamples, DecodeOptions } from './types.js';

const MIME = { jpeg: 'image/jpeg', webp: 'image/webp' } as const;

/**
 * Whether WebCodecs' ImageDecoder decodes JPEG here (Chromium 94+, Firefox 133+, on HTTPS or localhost pages; not
 * Safari), asked once. Given the bytes themselves it decodes a 240-pixel tile more than twice as fast as
 * `createImageBitmap(Blob)`, with the same pixels: the blob's trip through the browser's blob store costs more than the
 * decode (bench:decode).
 */
let jpegImageDecoder: Promise<boolean> | undefined;
function hasJpegImageDecoder(): Promise<boolean> {
  jpegImageDecoder ??= typeof ImageDecoder === 'function' ? ImageDecoder.isTypeSupported(MIME.jpeg).catch(() => false) : Promise.resolve(false);
  return jpegImageDecoder;
}

/**
 * Whether ImageDecoder is used for this JPEG: one of three components without chroma subsampling (8×8 MCUs), which
 * it decodes to RGB. A subsampled one comes out as YUV planes whose conversion to RGB upsamples the chroma otherwise
 * than libjpeg does (up to 37 levels at sharp edges against OpenSlide's reference), so it keeps the blob route.
 */
async function decodesWithImageDecoder(jpeg: Uint8Array): Promise<boolean> {
  const frame = parseJpegFrame(jpeg);
  return frame !== undefined && frame.components === 3 && frame.mcuWidth === 8 && frame.mcuHeight === 8 && (await hasJpegImageDecoder());
}

/** The VideoFrame formats of decoded RGB pixels; any other (YUV planes) is not taken. */
const RGB_FORMATS = new Set<VideoPixelFormat | null>(['RGBA', 'RGBX', 'BGRA', 'BGRX']);

function undecodable(kind: 'jpeg' | 'webp', cause: unknown): SlideError {
  const name = kind === 'webp' ? 'WebP' : 'JPEG';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SlideError('corrupt', `A ${name} tile could not be decoded by the browser (${reason}). The file is damaged.`, { cause });
}

/**
 * A JPEG through ImageDecoder, cut to `crop` (a padded edge tile's true size) on the way if given; undefined where
 * ImageDecoder is not used for it (see decodesWithImageDecoder) or it came out in YUV planes after all. With `convert`
 * the decoder converts from the profile the JPEG carries to sRGB as it decodes; without, the stored values come out.
 */
async function viaImageDecoder(bytes: Uint8Array, convert: boolean, crop?: { width: number; height: number }): Promise<ImageBitmap | undefined> {
  if (!(await decodesWithImageDecoder(bytes))) return undefined;
  const decoder = new ImageDecoder({ data: bytes, type: MIME.jpeg, colorSpaceConversion: convert ? 'default' : 'none' });
  try {
    const { image } = await decoder.decode();
    try {
      if (!RGB_FORMATS.has(image.format)) return undefined;
      if (!crop) return await createImageBitmap(image);
      return await createImageBitmap(image, 0, 0, Math.min(crop.width, image.displayWidth), Math.min(crop.height, image.displayHeight));
    } finally {
      image.close();
    }
  } catch (cause) {
    throw undecodable('jpeg', cause);
  } finally {
    decoder.close();
  }
}

/** The bytes decoded by `createImageBitmap` from a Blob, the route every browser has; a failure is `corrupt`. */
async function viaBlob(bytes: Uint8Array, kind: 'jpeg' | 'webp', options: ImageBitmapOptions): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: MIME[kind] }), options);
  } catch (cause) {
    throw undecodable(kind, cause);
  }
}

/**
 * The browser's own decoders (libjpeg-turbo and libwebp in Chromium), off the main thread: the stored values as they
 * are, at the tile's full decoded size.
 */
export async function nativeBitmap(tile: Pick<EncodedTile, 'codec' | 'bytes'>): Promise<ImageBitmap> {
  const kind = tile.codec === 'webp' ? 'webp' : 'jpeg';
  const decoded = kind === 'jpeg' ? await viaImageDecoder(tile.bytes, false) : undefined;
  // JPEG is opaque, so premultiplying changes no value; converting an unpremultiplied bitmap costs Skia ~25% more.
  return decoded ?? viaBlob(tile.bytes, kind, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
}

/**
 * A JPEG tile converted by the browser's decoder from the profile in `iccSegments` to `output`, as a bitmap in that
 * space, cut to the tile's true size. To sRGB, ImageDecoder converts as it decodes where it is used. Otherwise the
 * decoder gives a bitmap tagged with the profile, drawn once here into a canvas of the output space: a tagged bitmap
 * would be converted again on every frame it is drawn in (twice the canvas drawer's frame time in software, measured).
 */
export async function convertedJpegBitmap(
  tile: Pick<EncodedTile, 'codec' | 'bytes' | 'width' | 'height'>,
  iccSegments: Uint8Array,
  output: OutputColourSpace,
  signal?: AbortSignal,
): Promise<ImageBitmap> {
  const bytes = withIccSegments(tile.bytes, iccSegments);
  const decoded = output === 'srgb' ? await viaImageDecoder(bytes, true, tile) : undefined;
  if (decoded) return decoded;
  const tagged = await viaBlob(bytes, 'jpeg', { colorSpaceConversion: 'default' });
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

/**
 * The codecs of the browser worker: the lossless ones, the browser's JPEG and WebP (straight to a bitmap when drawing),
 * OpenJPEG, OpenJPH and CharLS in WASM, each glue a chunk of its own loaded on the first tile that needs it or when
 * warmed, on the module `compiled` gives for its codec.
 */
export function browserCodecs(compiled: (codec: TileCodec) => Promise<WebAssembly.Module>): CodecRegistry {
  const native = { samples: decodeNative, bitmap: nativeBitmap };
  return hostCodecs(
    { jpeg: native, webp: native },
    {
      openJpeg: () => emscriptenModule<OpenJpegModule>(import('@cornerstonejs/codec-openjpeg/decodewasmjs'), compiled('jp2k')),
      charls: () => emscriptenModule<CharlsModule>(import('@cornerstonejs/codec-charls/decodewasmjs'), compiled('jpegls')),
      openJph: () => emscriptenModule<OpenJphModule>(import('@cornerstonejs/codec-openjph/wasmjs'), compiled('htj2k')),
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
  return pixelsBitmap({ ...image, colorSpace: pixelSpace(opts.colour) });
}
