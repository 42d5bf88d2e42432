import type { Ifd } from '../tiff/ifd.js';

/** NDPI's private TIFF tags (as OpenSlide's hamamatsu driver and tifffile name them). */
export const NdpiTag = {
  FormatFlag: 65420,
  /** Objective magnification of the page: > 0 a pyramid level, −1 the macro image, −2 the map. */
  SourceLens: 65421,
  XOffset: 65422,
  YOffset: 65423,
  /** Z offset of the page; pages other than 0 are further focal planes. */
  FocalPlane: 65424,
  /** Offsets, relative to the page's JPEG, of each restart interval's entropy-coded data. */
  McuStarts: 65426,
  Reference: 65427,
  /** High 32 bits of McuStarts, in files past 4 GB. */
  McuStartsHigh: 65432,
  /** "key=value" records joined by CR LF. */
  PropertyMap: 65449,
} as const;

/** Tags the reader loads for every NDPI page (the property map only for the first). */
export const NDPI_PAGE_TAGS = [NdpiTag.SourceLens, NdpiTag.FocalPlane] as const;

/** `hamamatsu.*` properties and the objective power, as OpenSlide's `ndpi_set_props` derives them from the first page. */
export function hamamatsuProperties(ifd: Ifd): Record<string, string> {
  const properties: Record<string, string> = {};
  const lens = ifd.number(NdpiTag.SourceLens);
  if (lens !== undefined) {
    // OpenSlide prints the float widened to double, shortest round trip (40, or 35.15999984741211).
    properties['hamamatsu.SourceLens'] = String(lens);
    properties['openslide.objective-power'] = String(lens);
  }
  const x = ifd.number(NdpiTag.XOffset);
  const y = ifd.number(NdpiTag.YOffset);
  if (x !== undefined) properties['hamamatsu.XOffsetFromSlideCentre'] = String(x);
  if (y !== undefined) properties['hamamatsu.YOffsetFromSlideCentre'] = String(y);
  const reference = ifd.string(NdpiTag.Reference);
  if (reference !== undefined) properties['hamamatsu.Reference'] = reference;
  // Records split on CR LF, each on its first "="; empty keys or values are skipped (OpenSlide's rules, so a record
  // holding bare CRs, such as the NDP shading data, keeps them in its key and value as OpenSlide's does).
  for (const record of ifd.string(NdpiTag.PropertyMap)?.split('\r\n') ?? []) {
    const at = record.indexOf('=');
    if (at <= 0 || at === record.length - 1) continue;
    properties[`hamamatsu.${record.slice(0, at)}`] = record.slice(at + 1);
  }
  return properties;
}
