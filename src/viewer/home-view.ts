import type { SlideLevel } from '../slide/types.js';

/** Most tiles fetched ahead of OpenSeadragon: the home view of a 1280×800 viewer needs a few dozen. */
const MAX_AHEAD = 256;

/**
 * The levels (display levels, finest first) whose tiles OpenSeadragon asks for as it opens on the home view, with the
 * whole image fitted in a `width` × `height` viewer: it walks from the finest level down, skips levels drawn at under
 * `minPixelRatio` screen pixels per level pixel, and asks for every visible tile of each level it keeps (the whole
 * image, at home). Empty when that would be more than MAX_AHEAD tiles or the viewer has no size yet.
 */
export function homeViewLevels(levels: readonly SlideLevel[], width: number, height: number, minPixelRatio: number): number[] {
  const full = levels[0]!;
  const onScreen = Math.min(width, height * (full.width / full.height));
  if (!(onScreen > 0)) return [];
  const finest = levels.findIndex((level) => onScreen / level.width >= minPixelRatio);
  const kept = levels.map((_, i) => i).slice(finest === -1 ? levels.length - 1 : finest);
  const tiles = kept.reduce((n, i) => n + levels[i]!.tilesX * levels[i]!.tilesY, 0);
  return tiles > MAX_AHEAD ? [] : kept;
}
