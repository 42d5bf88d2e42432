import type { AnnotationSet } from '../../annotations/annotation-set.js';
import type { Box } from '../../annotations/types.js';
import type { ScreenTransform } from './screen-transform.js';
import { POINT_PX, paintShapes, STROKE_PX } from './shape-painter.js';

/** Tile side in CSS pixels. */
const TILE = 512;
/** Memory for rendered tiles: a 1280×800 view at 2 device pixels per CSS pixel needs 12 of 4 MB. */
const MAX_BYTES = 96 * 1024 * 1024;

interface RenderedTile {
  canvas: HTMLCanvasElement;
  shapes: number;
}

/**
 * The shapes rendered once per zoom into 512-px tiles anchored to the slide, so that panning redraws a few images
 * instead of every outline (the browser's own rasterising of strokes, not our code, is what a frame of thousands
 * of shapes costs). Tiles are made as they come into view and dropped when the zoom or the set changes.
 */
export class AnnotationTiles {
  readonly #tiles = new Map<string, RenderedTile>();
  readonly #set: AnnotationSet;
  readonly #doc: Document;
  #scale = Number.NaN;
  #dpr = Number.NaN;
  #idle = 0;

  constructor(set: AnnotationSet, doc: Document) {
    this.#set = set;
    this.#doc = doc;
  }

  invalidate(): void {
    this.#tiles.clear();
  }

  /**
   * While the browser is idle, renders the ring of tiles around the view, one per idle period, so that panning
   * finds its next tiles ready rather than rendering them in the frame that needs them.
   */
  #prepareRing(t: ScreenTransform, x0: number, y0: number, x1: number, y1: number, dpr: number): void {
    const win = this.#doc.defaultView;
    const tileBytes = Math.round(TILE * dpr) ** 2 * 4;
    // Only when the view and its ring fit in the budget together: else the ring would push out the view's own tiles.
    if (!win || this.#idle || (x1 - x0 + 3) * (y1 - y0 + 3) * tileBytes > MAX_BYTES) return;
    const idle = (run: () => void) => (win.requestIdleCallback ? win.requestIdleCallback(run, { timeout: 500 }) : win.setTimeout(run, 50));
    this.#idle = idle(() => {
      this.#idle = 0;
      if (t.scale !== this.#scale) return;
      for (let ty = y0 - 1; ty <= y1 + 1; ty++) {
        for (let tx = x0 - 1; tx <= x1 + 1; tx++) {
          if (this.#tiles.has(`${tx}/${ty}`)) continue;
          this.#tile(t, tx, ty, dpr);
          this.#prepareRing(t, x0, y0, x1, y1, dpr);
          return;
        }
      }
    });
  }

  /** Draws the `width` × `height` view of transform `t` from tiles; returns the shapes in the tiles drawn. */
  draw(ctx: CanvasRenderingContext2D, t: ScreenTransform, width: number, height: number, dpr: number): number {
    if (t.scale !== this.#scale || dpr !== this.#dpr) {
      this.#tiles.clear();
      this.#scale = t.scale;
      this.#dpr = dpr;
    }
    const { origin } = t;
    let shapes = 0;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const [x0, x1] = [Math.floor(-origin.x / TILE), Math.floor((width - origin.x) / TILE)];
    const [y0, y1] = [Math.floor(-origin.y / TILE), Math.floor((height - origin.y) / TILE)];
    for (let ty = y0; ty <= y1; ty++) {
      for (let tx = x0; tx <= x1; tx++) {
        const tile = this.#tile(t, tx, ty, dpr);
        shapes += tile.shapes;
        ctx.drawImage(tile.canvas, origin.x + tx * TILE, origin.y + ty * TILE, TILE, TILE);
      }
    }
    this.#prepareRing(t, x0, y0, x1, y1, dpr);
    return shapes;
  }

  #tile(t: ScreenTransform, tx: number, ty: number, dpr: number): RenderedTile {
    const key = `${tx}/${ty}`;
    const cached = this.#tiles.get(key);
    if (cached) {
      // Least recently used last out: a tile drawn again moves to the end.
      this.#tiles.delete(key);
      this.#tiles.set(key, cached);
      return cached;
    }
    const canvas = this.#doc.createElement('canvas');
    canvas.width = canvas.height = Math.round(TILE * dpr);
    const s = t.scale;
    // Shapes reaching into the tile by their outline or a point's marker are drawn in it too.
    const margin = (POINT_PX + STROKE_PX) / s;
    const box: Box = { x: (tx * TILE) / s - margin, y: (ty * TILE) / s - margin, width: TILE / s + 2 * margin, height: TILE / s + 2 * margin };
    const items = this.#set.search(box);
    paintShapes(canvas.getContext('2d')!, this.#set, items, t.shifted({ x: t.origin.x + tx * TILE, y: t.origin.y + ty * TILE }), dpr);
    const tile = { canvas, shapes: items.length };
    this.#tiles.set(key, tile);
    const perTile = canvas.width * canvas.height * 4;
    for (const old of this.#tiles.keys()) {
      if (this.#tiles.size * perTile <= MAX_BYTES) break;
      this.#tiles.delete(old);
    }
    return tile;
  }
}
