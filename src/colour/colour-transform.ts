/*
 * Apart from icc-transform.ts so that the types a viewer or codec sees (DecodeOptions) never reach lcms-wasm's
 * module, which ships no types: the published .d.ts files need nothing but our own.
 */

import type { OutputColourSpace } from './output-space.js';

/** A slide's colours converted from its scanner's ICC profile to sRGB (or Display P3), as LittleCMS converts them. */
export interface ColourTransform {
  /** The profile's description ("Adobe RGB (1998)", a scanner model's calibration). */
  readonly description: string;
  /** The rendering intent used: the profile's own (its header's), as ICC.1 says a profile's default is. */
  readonly intent: 'perceptual' | 'relative colorimetric' | 'saturation' | 'absolute colorimetric';
  /** The colour space the pixels come out in. */
  readonly output: OutputColourSpace;
  /**
   * The transform changes no 8-bit value by more than 1 (an sRGB profile, as many DICOM writers embed): applying it
   * is skipped, and tiles keep the decoder's direct route.
   */
  readonly identity: boolean;
  /**
   * The profile as JPEG APP2 segments, set where the browser's own JPEG decoder, given them, was found to convert as
   * `apply` does (see browser-jpeg-colour.ts): JPEG tiles are then converted by the decoder, at native speed.
   */
  readonly jpegIccSegments?: Uint8Array;
  /** Converts RGBA pixels in place (alpha kept). */
  apply(rgba: Uint8Array | Uint8ClampedArray): void;
  close(): void;
}
