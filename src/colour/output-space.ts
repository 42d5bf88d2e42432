/** The colour space tiles are converted to: sRGB (every screen), or Display P3 (a wide-gamut screen's canvas). */
export type OutputColourSpace = 'srgb' | 'display-p3';

/**
 * Display P3 as Chromium defines it (Skia's SkICC, "Display P3 Gamut with sRGB Transfer", 520 bytes: the iCCP chunk
 * of a PNG encoded from a `display-p3` canvas). LittleCMS converts to it, so a tile converted in the worker and one
 * the browser converts from its own definition agree; lcms-wasm cannot build an RGB profile from primaries.
 */
const DISPLAY_P3_BASE64 =
  'AAACCAAAAAAEMAAAbW50clJHQiBYWVogB+AAAQABAAAAAAAAYWNzcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAPbWAAEAAAAA0y0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJZGVzYwAAAPAAAABkclhZWgAAAVQAAAAUZ1hZWgAAAWgAAAAUYlhZWgAAAXwAAAAUd3RwdAAAAZAAAAAUclRSQwAAAaQAAAAoZ1RSQwAAAaQAAAAoYlRSQwAAAaQAAAAoY3BydAAAAcwAAAA8bWx1YwAAAAAAAAABAAAADGVuVVMAAABGAAAAHABEAGkAcwBwAGwAYQB5ACAAUAAzACAARwBhAG0AdQB0ACAAdwBpAHQAaAAgAHMAUgBHAEIAIABUAHIAYQBuAHMAZgBlAHIAAFhZWiAAAAAAAACD3gAAPb7///+7WFlaIAAAAAAAAEq+AACxNgAACrlYWVogAAAAAAAAKDsAABEMAADIzVhZWiAAAAAAAAD21gABAAAAANMtcGFyYQAAAAAABAAAAAJmZgAA8qcAAA1ZAAAT0AAAClsAAAAAAAAAAG1sdWMAAAAAAAAAAQAAAAxlblVTAAAAIAAAABwARwBvAG8AZwBsAGUAIABJAG4AYwAuACAAMgAwADEANg==';

/** The ICC profile of an output colour space that LittleCMS does not build itself. */
export function displayP3Profile(): Uint8Array {
  return Uint8Array.from(atob(DISPLAY_P3_BASE64), (c) => c.charCodeAt(0));
}
