import { SlideError } from '../errors.js';
import type { TiffReader } from '../tiff/tiff-reader.js';
import { aperioAssociatedName, isAperioDescription } from './aperio.js';
import { codecOf, describeDirectory, type DirectoryInfo } from './directory.js';
import type { AssociatedName, SlideFormat, SlideLevel } from './types.js';

export interface SlideLayout {
  format: SlideFormat;
  /** Level directories, 0 = full resolution. */
  levels: DirectoryInfo[];
  associated: Map<AssociatedName, DirectoryInfo>;
}

/** NewSubfileType bit 2: a transparency mask, never a pyramid level. */
const MASK_BIT = 4;

/** Decides which directories are levels and which are associated images. */
export function slideLayout(tiff: TiffReader): SlideLayout {
  const id = tiff.source.id;
  const describe = (ifd: TiffReader['ifds'][number]) => describeDirectory(ifd, tiff.littleEndian, id);
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
  // A level must be the same image as level 0: same samples and no wider aspect than rounding allows.
  const levels = candidates
    .filter(
      (d) =>
        d.layout.samplesPerPixel === first.layout.samplesPerPixel &&
        Math.abs(d.width / d.height - first.width / first.height) < 0.05 * (first.width / first.height),
    )
    .sort((a, b) => b.width - a.width);
  if (levels.length === 0) {
    throw new SlideError(
      'not_pyramidal',
      `${id}: no image directory can serve as the full-resolution level (the first image is marked as a mask or is inconsistent). The file is damaged or is not a slide.`,
      { source: id },
    );
  }
  for (const level of levels) codecOf(level, id);
  return { format, levels, associated };
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
