import { emscriptenModule } from '../codec/emscripten-module.js';
import type { Slide } from '../slide/types.js';
import type { ReadOptions } from '../source/range-source.js';
import type { ColourTransform } from './colour-transform.js';
import { iccTransform } from './icc-transform.js';

type LcmsModule = typeof import('lcms-wasm');
type Lcms = Awaited<ReturnType<LcmsModule['instantiate']>>;
let loading: Promise<{ lcms: Lcms; constants: LcmsModule }> | undefined;

/**
 * LittleCMS, loaded once, on the first slide that has a profile and wants it applied: on `compiled` where the page
 * compiled its WASM (a decode worker's, see wasm-assets.ts), else on the WASM it finds beside itself
 * (`new URL('lcms.wasm', import.meta.url)`: on disk in Node, where the bundler put it in a browser page).
 */
export function littleCms(compiled?: Promise<WebAssembly.Module>) {
  loading ??= (async () => {
    const glue = import('lcms-wasm');
    const lcms = compiled
      ? await emscriptenModule<Lcms>(glue, compiled)
      : await (await glue).instantiate({ print: () => undefined, printErr: () => undefined });
    return { lcms, constants: await glue };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * The transform from a slide's embedded profile to sRGB, or undefined for a slide without one (its values are
 * taken as sRGB, as every viewer does). Reads the profile's bytes now, and only now.
 */
export async function slideColourTransform(slide: Slide, opts: ReadOptions = {}): Promise<ColourTransform | undefined> {
  if (!slide.colourProfile) return undefined;
  const [profile, { lcms, constants }] = await Promise.all([slide.colourProfile.read(opts), littleCms()]);
  return iccTransform(profile, lcms, constants);
}
