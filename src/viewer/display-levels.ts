import type { Slide, SlideLevel } from '../slide/types.js';

/**
 * The levels the viewer draws: the slide's own, plus its embedded thumbnail as one more, coarsest level
 * when it shows the same image (same aspect within 1%) smaller than the smallest level. A single-level
 * slide then opens on one small image instead of every full-resolution tile. The thumbnail is never a
 * slide level (OpenSlide does not list it), only a way to draw the overview.
 */
export function displayLevels(slide: Slide): { levels: SlideLevel[]; overview: boolean } {
  const levels = [...slide.levels];
  const thumb = slide.associatedSize('thumbnail');
  const coarsest = levels[levels.length - 1]!;
  if (!thumb || thumb.width >= coarsest.width * 0.75) return { levels, overview: false };
  const aspect = slide.width / slide.height;
  if (Math.abs(thumb.width / thumb.height - aspect) > 0.01 * aspect) return { levels, overview: false };
  levels.push({
    width: thumb.width,
    height: thumb.height,
    tileWidth: thumb.width,
    tileHeight: thumb.height,
    tilesX: 1,
    tilesY: 1,
    downsample: (slide.width / thumb.width + slide.height / thumb.height) / 2,
  });
  return { levels, overview: true };
}
