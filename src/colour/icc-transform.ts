import type { LittleCms } from 'lcms-wasm';
import { SlideError } from '../errors.js';
import type { ColourTransform } from './colour-transform.js';
import { displayP3Profile, type OutputColourSpace } from './output-space.js';

const INTENTS = ['perceptual', 'relative colorimetric', 'saturation', 'absolute colorimetric'] as const;

/** Steps of the grid a transform is checked on: 0, 15, … 255 on each channel (18³ colours). */
const GRID = Array.from({ length: 18 }, (_, i) => Math.min(255, i * 15));

/** Whether a transform moves no colour of the grid by more than one level on any channel. */
function changesNothing(transform: (rgba: Uint8Array) => Uint8Array): boolean {
  const rgba = new Uint8Array(GRID.length ** 3 * 4);
  let i = 0;
  for (const r of GRID) for (const g of GRID) for (const b of GRID) rgba.set([r, g, b, 255], i++ * 4);
  const out = transform(rgba);
  for (let k = 0; k < rgba.length; k++) if (k % 4 !== 3 && Math.abs(out[k]! - rgba[k]!) > 1) return false;
  return true;
}

/**
 * A transform from an embedded profile to the output space (sRGB unless asked otherwise) through LittleCMS
 * (lcms-wasm: no hand-written colour maths, so matrix/TRC and LUT-based profiles alike come out as LittleCMS makes
 * them). A profile that cannot be parsed or used is `unsupported_colour_profile`, and the caller shows the stored
 * colours.
 */
export async function iccTransform(
  profile: Uint8Array,
  lcms: LittleCms,
  constants: typeof import('lcms-wasm'),
  output: OutputColourSpace = 'srgb',
): Promise<ColourTransform> {
  const source = lcms.cmsOpenProfileFromMem(profile, profile.length);
  if (!source)
    throw new SlideError(
      'unsupported_colour_profile',
      `The slide's ICC profile (${profile.length} bytes) could not be parsed; its stored colours are shown as they are.`,
    );
  const p3 = output === 'display-p3' ? displayP3Profile() : undefined;
  const target = p3 ? lcms.cmsOpenProfileFromMem(p3, p3.length) : lcms.cmsCreate_sRGBProfile();
  try {
    if (lcms.cmsGetColorSpace(source) !== constants.cmsSigRgbData) {
      throw new SlideError('unsupported_colour_profile', "The slide's ICC profile is not for RGB data; its stored colours are shown as they are.");
    }
    const header = lcms.cmsGetHeaderRenderingIntent(source);
    const intent = header >= 0 && header < INTENTS.length ? header : constants.INTENT_RELATIVE_COLORIMETRIC;
    const transform = lcms.cmsCreateTransform(source, constants.TYPE_RGBA_8, target, constants.TYPE_RGBA_8, intent, constants.cmsFLAGS_COPY_ALPHA);
    if (!transform)
      throw new SlideError(
        'unsupported_colour_profile',
        `LittleCMS could not build a transform from the slide's ICC profile to ${output}; its stored colours are shown as they are.`,
      );
    const description = lcms.cmsGetProfileInfoASCII(source, constants.cmsInfoDescription, 'en', 'US');
    const identity = changesNothing((rgba) => lcms.cmsDoTransform(transform, rgba, rgba.length / 4));
    return {
      description,
      intent: INTENTS[intent]!,
      output,
      identity,
      apply(rgba) {
        if (!identity) rgba.set(lcms.cmsDoTransform(transform, rgba, rgba.length / 4));
      },
      close() {
        lcms.cmsDeleteTransform(transform);
      },
    };
  } finally {
    lcms.cmsCloseProfile(source);
    lcms.cmsCloseProfile(target);
  }
}
