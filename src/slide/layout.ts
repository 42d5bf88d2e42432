import { SlideError } from '../errors.js';
import type { Ifd } from '../tiff/ifd.js';
import type { TiffReader } from '../tiff/tiff-reader.js';
import { isOmeXml, type OmeImage, parseOmeXml } from './ome-xml.js';
import { aperioAssociatedName, isAperioDescription } from './aperio.js';
import { codecOf, describeDirectory, type DirectoryInfo } from './directory.js';
import type { AssociatedName, SlideFormat, SlideLevel } from './types.js';

export interface SlideLayout {
  format: SlideFormat;
  /** Level directories, 0 = full resolution (of the first channel where channels are separate planes). */
  levels: DirectoryInfo[];
  associated: Map<AssociatedName, DirectoryInfo>;
  /** OME-TIFF: the parsed OME-XML. */
  ome?: OmeImage;
  /** Channels stored as separate planes (OME fluorescence): each channel's level directories, matching `levels`. */
  channels?: DirectoryInfo[][];
  /** OME-TIFF: the level directories of any plane (channel, Z, T), found when first asked for. */
  planeLevels?: (c: number, z: number, t: number) => DirectoryInfo[];
}

/** NewSubfileType bit 2: a transparency mask, never a pyramid level. */
const MASK_BIT = 4;

/** Decides which directories are levels and which are associated images. */
export function slideLayout(tiff: TiffReader): SlideLayout {
  const id = tiff.source.id;
  const describe = (ifd: Ifd) => describeDirectory(ifd, tiff.littleEndian, id);
  const dirs = tiff.ifds.map(describe);
  const first = dirs[0]!;
  // OpenSlide's test: the first description is Leica's XML (it names its namespace).
  if (first.description?.includes('leica-microsystems.com/scn')) {
    throw new SlideError(
      'unsupported_leica_scn',
      `${id} is a Leica SCN slide, which wsi-stream does not read yet (its levels live in collections described by XML). Export it as pyramidal TIFF or open it with OpenSlide.`,
      { source: id },
    );
  }
  if (!first.tiled) {
    throw new SlideError(
      'not_tiled',
      `${id} stores its main image in strips, not tiles, so it is not a pyramidal whole-slide image and cannot be streamed. Convert it with \`vips tiffsave in out.tif --tile --pyramid --compression jpeg\`.`,
      { source: id },
    );
  }
  if (isOmeXml(first.description)) return omeLayout(tiff, dirs, parseOmeXml(first.description!, id), describe);
  const format: SlideFormat = isAperioDescription(first.description) ? 'aperio-svs' : 'generic-tiff';
  const associated = new Map<AssociatedName, DirectoryInfo>();
  let candidates: DirectoryInfo[];
  if (first.ifd.subIfds.length > 0) {
    // OME-style: the reduced resolutions are SubIFDs of the full-resolution image.
    candidates = [first, ...first.ifd.subIfds.map(describe)];
  } else {
    candidates = dirs.filter((d) => d.tiled && (d.newSubfileType & MASK_BIT) === 0);
  }
  dirs.forEach((dir, index) => {
    if (dir.tiled || index === 0) return;
    const name = format === 'aperio-svs' ? aperioAssociatedName(index, dir.description, dir.newSubfileType, dir.width, dir.height) : genericAssociatedName(dir);
    if (name && !associated.has(name)) associated.set(name, dir);
  });
  return { format, levels: pyramidLevels(candidates, first, id), associated };
}

/**
 * Whether `d` can be `first` scaled down: an aspect within 5 %, or one scale factor that each side, rounded to whole
 * pixels, can come from (the smallest levels, 6×2 of 439×167, are far off in aspect yet exact to the pixel).
 */
function sameImage(d: DirectoryInfo, first: DirectoryInfo): boolean {
  const aspect = first.width / first.height;
  if (Math.abs(d.width / d.height - aspect) < 0.05 * aspect) return true;
  const lowest = Math.max(first.width / (d.width + 1), first.height / (d.height + 1));
  const highest = Math.min(d.width > 1 ? first.width / (d.width - 1) : Infinity, d.height > 1 ? first.height / (d.height - 1) : Infinity);
  return lowest < highest;
}

/** The candidates that are the same image as `first` (same samples, no wider aspect than rounding allows), largest first. */
function pyramidLevels(candidates: DirectoryInfo[], first: DirectoryInfo, id: string): DirectoryInfo[] {
  const levels = candidates.filter((d) => d.layout.samplesPerPixel === first.layout.samplesPerPixel && sameImage(d, first)).sort((a, b) => b.width - a.width);
  if (levels.length === 0) {
    throw new SlideError(
      'not_pyramidal',
      `${id}: no image directory can serve as the full-resolution level (the first image is marked as a mask or is inconsistent). The file is damaged or is not a slide.`,
      { source: id },
    );
  }
  for (const level of levels) codecOf(level, id);
  return levels;
}

/**
 * OME-TIFF: each plane is a top-level directory (the OME-XML says which) with its reduced resolutions in SubIFDs.
 * Interleaved RGB is one plane, shown as a normal slide; channels stored as separate planes (fluorescence) are all
 * read, at the first Z and T, with the same level geometry each.
 */
function omeLayout(tiff: TiffReader, dirs: DirectoryInfo[], ome: OmeImage, describe: (ifd: Ifd) => DirectoryInfo): SlideLayout {
  const id = tiff.source.id;
  let reference: DirectoryInfo[] | undefined;
  /** The level directories of plane (c, z, t), checked against the first plane's geometry. */
  const planeLevels = (c: number, z: number, t: number): DirectoryInfo[] => {
    const index = ome.ifdOf(c, z, t);
    const where = `channel ${c}, Z ${z}, T ${t}`;
    const dir = dirs[index];
    if (!dir)
      throw new SlideError('corrupt', `${id}: the OME-XML puts ${where} in directory ${index}, which the file does not have. The file is damaged.`, {
        source: id,
      });
    if (!dir.tiled) {
      throw new SlideError(
        'not_tiled',
        `${id} stores its OME image in strips, not tiles, so it cannot be streamed. Convert it with \`vips tiffsave in out.ome.tif --tile --pyramid --subifd\`.`,
        { source: id },
      );
    }
    const levels = pyramidLevels([dir, ...dir.ifd.subIfds.map(describe)], dir, id);
    const same = (l: DirectoryInfo[]) =>
      l.length === reference!.length &&
      l.every((d, i) => d.width === reference![i]!.width && d.height === reference![i]!.height && d.blockWidth === reference![i]!.blockWidth);
    if (reference && !same(levels))
      throw new SlideError('corrupt', `${id}: the OME pyramid of ${where} differs from the first plane's. The file is damaged.`, { source: id });
    return levels;
  };
  const levels = planeLevels(0, 0, 0);
  reference = levels;
  const separate = levels[0]!.layout.samplesPerPixel === 1 && ome.sizeC > 1;
  return {
    format: 'ome-tiff',
    levels,
    associated: new Map(),
    ome,
    planeLevels,
    ...(separate ? { channels: Array.from({ length: ome.sizeC }, (_, c) => (c === 0 ? levels : planeLevels(c, 0, 0))) } : {}),
  };
}

/** Generic TIFFs name associated images only by description, never by guessing. */
function genericAssociatedName(dir: DirectoryInfo): AssociatedName | undefined {
  const text = dir.description?.trim().toLowerCase() ?? '';
  if (text.startsWith('label')) return 'label';
  if (text.startsWith('macro')) return 'macro';
  if (text.startsWith('thumbnail')) return 'thumbnail';
  return undefined;
}

/** Level geometry; downsample as OpenSlide computes it: the mean of the width and height ratios. */
export function levelOf(dir: DirectoryInfo, base: DirectoryInfo): SlideLevel {
  return {
    width: dir.width,
    height: dir.height,
    tileWidth: dir.blockWidth,
    tileHeight: dir.blockHeight,
    tilesX: Math.ceil(dir.width / dir.blockWidth),
    tilesY: Math.ceil(dir.height / dir.blockHeight),
    downsample: (base.width / dir.width + base.height / dir.height) / 2,
  };
}
