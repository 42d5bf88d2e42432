import type OpenSeadragon from 'openseadragon';
import type { SlideLevel } from '../slide/types.js';

/**
 * Whether an in-flight tile is still worth finishing: it overlaps the viewport (plus half a screen of margin,
 * where a pan is likely to go), and it is not far finer than the current zoom can show.
 */
export function tileWantedTest(viewer: OpenSeadragon.Viewer, levels: readonly SlideLevel[]): (tile: { level: number; x: number; y: number }) => boolean {
  const tiledImage = viewer.world.getItemAt(0);
  if (!tiledImage) return () => true;
  const view = tiledImage.viewportToImageRectangle(viewer.viewport.getBounds(true));
  const marginX = view.width / 2;
  const marginY = view.height / 2;
  // Image pixels per screen pixel now; a level more than ~3× finer than that will never be drawn at this zoom.
  const needed = 1 / tiledImage.viewportToImageZoom(viewer.viewport.getZoom(true));
  return ({ level, x, y }) => {
    const l = levels[level];
    if (!l) return false;
    if (l.downsample < needed / 3) return false;
    const scaleX = levels[0]!.width / l.width;
    const scaleY = levels[0]!.height / l.height;
    const left = x * l.tileWidth * scaleX;
    const top = y * l.tileHeight * scaleY;
    const right = left + l.tileWidth * scaleX;
    const bottom = top + l.tileHeight * scaleY;
    return right >= view.x - marginX && left <= view.x + view.width + marginX && bottom >= view.y - marginY && top <= view.y + view.height + marginY;
  };
}
