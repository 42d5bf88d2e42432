/** The parts of lcms-wasm (LittleCMS 2.16 compiled to WASM; it ships no types) that wsi-stream uses. */
declare module 'lcms-wasm' {
  export interface LittleCms {
    cmsOpenProfileFromMem(bytes: Uint8Array, size: number): number;
    cmsCreate_sRGBProfile(): number;
    cmsCloseProfile(profile: number): void;
    cmsGetColorSpace(profile: number): number;
    cmsGetHeaderRenderingIntent(profile: number): number;
    cmsGetProfileInfoASCII(profile: number, info: number, language: string, country: string): string;
    cmsCreateTransform(input: number, inputFormat: number, output: number, outputFormat: number, intent: number, flags: number): number;
    cmsDoTransform(transform: number, input: Uint8Array | Uint8ClampedArray, pixels: number): Uint8Array;
    cmsDeleteTransform(transform: number): void;
  }
  export function instantiate(options?: { print?: () => void; printErr?: () => void }): Promise<LittleCms>;
  export const TYPE_RGBA_8: number;
  export const cmsSigRgbData: number;
  export const cmsInfoDescription: number;
  export const cmsFLAGS_COPY_ALPHA: number;
  export const INTENT_PERCEPTUAL: number;
  export const INTENT_RELATIVE_COLORIMETRIC: number;
  export const INTENT_SATURATION: number;
  export const INTENT_ABSOLUTE_COLORIMETRIC: number;
}
