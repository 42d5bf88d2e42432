import type OpenSeadragon from 'openseadragon';
import type { SlideLevel } from '../slide/types.js';
import { tilesCovering } from './level-map.js';
import type { SlideTileSource } from './slide-tile-source.js';

export interface PrefetchOptions {
  /** Idle time after the view is fully drawn before prefetching starts (ms). */
  delayMs?: number;
  /** Tiles fetched per idle period at most. */
  maxTiles?: number;
}

/** The slide level the view draws now: the finest whose pixels are not smaller than half a screen pixel. */
export function currentLevel(levels: readonly SlideLevel[], imagePixelsPerScreenPixel: number): number {
  let best = levels.length - 1;
  for (let i = levels.length - 1; i >= 0; i--) if (levels[i]!.downsample <= imagePixelsPerScreenPixel * 2) best = i;
  return best;
}

/** Tiles of `level` in the ring one tile wide around the rectangle (full-resolution pixels), nearest first. */
export function ringAround(
  level: SlideLevel,
  base: SlideLevel,
  rect: { x: number; y: number; width: number; height: number },
): Array<{ x: number; y: number }> {
  const { x0, y0, x1, y1 } = tilesCovering(level, base, rect);
  const ring: Array<{ x: number; y: number; d: number }> = [];
  for (let y = y0 - 1; y <= y1 + 1; y++) {
    for (let x = x0 - 1; x <= x1 + 1; x++) {
      const inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
      if (inside || x < 0 || y < 0 || x >= level.tilesX || y >= level.tilesY) continue;
      ring.push({ x, y, d: Math.min(Math.abs(x - (x0 + x1) / 2), Math.abs(y - (y0 + y1) / 2)) });
    }
  }
  return ring.sort((a, b) => a.d - b.d).map(({ x, y }) => ({ x, y }));
}

/**
 * When the view is fully drawn and no tile is loading, fetches the ring of tiles around it into the
 * encoded-tile cache, so the next pan draws from memory. Any viewport change cancels it at once.
 */
export function prefetchWhenIdle(
  osd: OpenSeadragon.Viewer,
  tileSource: SlideTileSource,
  levels: readonly SlideLevel[],
  options: PrefetchOptions = {},
): () => void {
  const delay = options.delayMs ?? 300;
  const maxTiles = options.maxTiles ?? 32;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;

  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    controller?.abort();
    controller = undefined;
  };
  const run = async () => {
    const item = osd.world.getItemAt(0);
    if (!item || tileSource.inFlight > 0 || !item.getFullyLoaded()) return;
    const finest = currentLevel(levels, 1 / item.viewportToImageZoom(osd.viewport.getZoom(true)));
    const view = item.viewportToImageRectangle(osd.viewport.getBounds(true));
    // OpenSeadragon draws two coarser levels under the current one too: their rings first (few tiles), then ours.
    const rings = [finest + 2, finest + 1, finest]
      .filter((l) => l < levels.length)
      .flatMap((level) => ringAround(levels[level]!, levels[0]!, view).map((t) => ({ level, ...t })))
      .slice(0, maxTiles);
    controller = new AbortController();
    const { signal } = controller;
    // One at a time, nearest first: prefetching must never compete with tiles the user is waiting for.
    for (const { level, x, y } of rings) {
      if (signal.aborted || tileSource.inFlight > 0) return;
      await tileSource.tileCache.get(level, x, y, signal).catch(() => undefined);
    }
  };
  const schedule = () => {
    cancel();
    timer = setTimeout(() => void run(), delay);
  };
  osd.addHandler('viewport-change', cancel);
  osd.addHandler('animation-finish', schedule);
  osd.addHandler('open', schedule);
  const onLoaded = () => {
    if (tileSource.inFlight === 0) schedule();
  };
  osd.addHandler('tile-loaded', onLoaded);
  return cancel;
}
