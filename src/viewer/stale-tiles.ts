import type OpenSeadragon from 'openseadragon';
import type { SlideLevel } from '../slide/types.js';
import { tileImageRect } from './level-map.js';

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
    const t = tileImageRect(l, levels[0]!, x, y);
    return (
      t.x + t.width >= view.x - marginX && t.x <= view.x + view.width + marginX && t.y + t.height >= view.y - marginY && t.y <= view.y + view.height + marginY
    );
  };
}
