import type { Ifd } from '../tiff/ifd.js';
import { Tag } from '../tiff/tags.js';
import { TEXT_PROPERTY_TAGS } from '../tiff/tiff-reader.js';
import type { SlideFormat, SlideLevel } from './types.js';

const TEXT_TAG_NAMES: Record<number, string> = {
  [Tag.ImageDescription]: 'ImageDescription',
  [Tag.DocumentName]: 'DocumentName',
  [Tag.Make]: 'Make',
  [Tag.Model]: 'Model',
  [Tag.Software]: 'Software',
  [Tag.DateTime]: 'DateTime',
  [Tag.Artist]: 'Artist',
  [Tag.HostComputer]: 'HostComputer',
  [Tag.Copyright]: 'Copyright',
};
/** `openslide.vendor` per format, as OpenSlide names the vendor (it reads OME-TIFF as generic TIFF). */
const VENDORS: Record<SlideFormat, string> = {
  'aperio-svs': 'aperio',
  'generic-tiff': 'generic-tiff',
  'ome-tiff': 'generic-tiff',
  'hamamatsu-ndpi': 'hamamatsu',
  dicom: 'dicom',
};
const RESOLUTION_UNITS: Record<number, string> = { 1: 'none', 2: 'inch', 3: 'centimeter' };

/**
 * A double as C's `%.17g` prints it, which is how OpenSlide formats tiff.XResolution (a float widened to
 * double, hence "28.346456527709961"), so our strings equal OpenSlide's.
 */
export function formatG17(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = value.toPrecision(17);
  if (text.includes('e')) {
    const [mantissa, exponent] = text.split('e') as [string, string];
    return `${trimZeros(mantissa)}e${exponent[0]}${exponent.slice(1).padStart(2, '0')}`;
  }
  return trimZeros(text);
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** `tiff.*` properties of the first directory, named as OpenSlide names them. */
export function tiffProperties(ifd: Ifd): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const tag of [Tag.ImageDescription, ...TEXT_PROPERTY_TAGS]) {
    const text = ifd.string(tag);
    if (text !== undefined) properties[`tiff.${TEXT_TAG_NAMES[tag]}`] = text;
  }
  const x = ifd.number(Tag.XResolution);
  const y = ifd.number(Tag.YResolution);
  // libtiff keeps resolutions as 32-bit floats; OpenSlide prints that float.
  if (x !== undefined) properties['tiff.XResolution'] = formatG17(Math.fround(x));
  if (y !== undefined) properties['tiff.YResolution'] = formatG17(Math.fround(y));
  // libtiff reports inch when the tag is absent (TIFF 6.0's default), and so does OpenSlide.
  properties['tiff.ResolutionUnit'] = RESOLUTION_UNITS[ifd.number(Tag.ResolutionUnit) ?? 2] ?? 'unknown';
  return properties;
}

/**
 * MPP from the resolution tags as OpenSlide derives it (`_openslide_tifflike_set_resolution_props`): µm per pixel for
 * inch or centimetre units, nothing for others or a zero resolution.
 */
export function resolutionMpp(ifd: Ifd): { x: number; y: number } | undefined {
  const dividend = { 2: 25400, 3: 10000 }[ifd.number(Tag.ResolutionUnit) ?? 2];
  const x = ifd.number(Tag.XResolution);
  const y = ifd.number(Tag.YResolution);
  if (dividend === undefined || !x || !y) return undefined;
  return { x: dividend / x, y: dividend / y };
}

/** The `openslide.*` properties every slide has. */
export function openslideProperties(format: SlideFormat, levels: readonly SlideLevel[], comment: string | undefined): Record<string, string> {
  const properties: Record<string, string> = {
    'openslide.vendor': VENDORS[format],
    'openslide.level-count': String(levels.length),
  };
  if (comment !== undefined) properties['openslide.comment'] = comment;
  levels.forEach((level, i) => {
    properties[`openslide.level[${i}].width`] = String(level.width);
    properties[`openslide.level[${i}].height`] = String(level.height);
    properties[`openslide.level[${i}].downsample`] = formatG17(level.downsample);
    properties[`openslide.level[${i}].tile-width`] = String(level.tileWidth);
    properties[`openslide.level[${i}].tile-height`] = String(level.tileHeight);
  });
  return properties;
}

/** Properties sorted by name, as OpenSlide lists them. */
export function sortProperties(properties: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
