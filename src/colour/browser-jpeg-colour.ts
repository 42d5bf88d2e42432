import { bitmapPixels, convertedJpegBitmap, nativeBitmap } from '../codec/browser-codecs.js';
import type { ColourTransform } from './colour-transform.js';
import { withoutTextTags } from './icc-without-text.js';
import { jpegIccSegments } from './jpeg-icc.js';

/**
 * Profiles up to this size (without their text tags) ride in every JPEG tile (each tile copies them). A larger one
 * (GT450 scanners embed 13 MB LUT profiles) would cost more to copy and parse per tile than LittleCMS costs to apply.
 */
const MAX_EMBEDDED_PROFILE = 256 * 1024;
/** The probe: 16 steps of each channel, 0, 17 … 255, so primaries, greys and the gamut's corners are all in it. */
const STEPS = 16;
const SIDE = 64;
/** Levels per channel the browser's conversion may differ from LittleCMS's: the tolerance of the ICC references. */
const TOLERANCE = 2;

/**
 * The probe's qualities: Chromium's encoder writes 1 without chroma subsampling and 0.95 with 4:2:0, and the two take
 * different routes to a converted bitmap (see convertedJpegBitmap), so each route is checked.
 */
const PROBE_QUALITIES = [1, 0.95];

/** A JPEG of every colour of the probe grid, made by the browser's own encoder. */
async function probeJpeg(quality: number): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(SIDE, SIDE);
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    image.data.set([(i % STEPS) * 17, (Math.floor(i / STEPS) % STEPS) * 17, Math.floor(i / STEPS ** 2) * 17, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality })).arrayBuffer());
}

/**
 * The transform, with `jpegIccSegments` set where the browser's JPEG decoder converts from the profile as LittleCMS
 * does: probe JPEGs decoded both ways (stored values through `transform.apply`, and the decoder's own conversion)
 * must agree within two levels on every pixel. LittleCMS in WASM costs more per tile than the JPEG decode itself
 * (bench:decode); the decoder's conversion (skcms in Chromium) costs a fraction. A profile the browser reads
 * otherwise (another rendering intent in a LUT profile, a tag it does not know) keeps LittleCMS.
 */
export async function withBrowserJpegRoute(transform: ColourTransform, profile: Uint8Array): Promise<ColourTransform> {
  const carried = withoutTextTags(profile) ?? profile;
  if (transform.identity || carried.length > MAX_EMBEDDED_PROFILE) return transform;
  const segments = jpegIccSegments(carried);
  if (!segments) return transform;
  return (await browserAgrees(transform, segments)) ? { ...transform, jpegIccSegments: segments } : transform;
}

/**
 * Whether the decoder's conversion of probe JPEGs from `segments`' profile to the transform's output space equals
 * `transform.apply` on their stored values.
 */
export async function browserAgrees(transform: ColourTransform, segments: Uint8Array): Promise<boolean> {
  for (const quality of PROBE_QUALITIES) {
    const probe = { codec: 'jpeg' as const, bytes: await probeJpeg(quality), width: SIDE, height: SIDE };
    const [stored, converted] = await Promise.all([nativeBitmap(probe), convertedJpegBitmap(probe, segments, transform.output)]);
    const expected = bitmapPixels(stored);
    const actual = bitmapPixels(converted, transform.output);
    stored.close();
    converted.close();
    transform.apply(expected);
    if (!expected.every((value, i) => Math.abs(value - actual[i]!) <= TOLERANCE)) return false;
  }
  return true;
}
