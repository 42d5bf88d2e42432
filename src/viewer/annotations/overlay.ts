import type OpenSeadragon from 'openseadragon';
import type { AnnotationSet } from '../../annotations/annotation-set.js';
import { handlesOf } from '../../annotations/geometry.js';
import type { Annotation, AnnotationStyle, Geometry } from '../../annotations/types.js';
import { AnnotationTiles } from './annotation-tiles.js';
import { DotLayer } from './dot-layer.js';
import { ScreenTransform } from './screen-transform.js';
import { POINT_PX, paintShapes, STROKE_PX, tracePath } from './shape-painter.js';

const HANDLE_PX = 8;
/** Sets smaller than this draw every shape as itself at any zoom; larger ones use the dot bitmap when zoomed out. */
const DOT_LAYER_MIN = 5_000;
/** The bitmap is used from this many level-0 pixels per screen pixel on (shapes under 8 px are then ≤ 2 px). */
const DOT_LAYER_FROM = 4;

/** Frame times of the overlay alone, for the benchmark and for hosts that watch their own frame budget. */
export interface OverlayStats {
  frames: number;
  /** In the last frame: outlines drawn, plus the shapes of the zoomed-out bitmap when it was used. */
  shapesDrawn: number;
  lastMs: number;
  maxMs: number;
}

/** A shape being drawn or edited, shown over the stored ones (dashed), not yet in the set. */
export interface Draft {
  geometry: Geometry;
  style: AnnotationStyle;
}

/**
 * One canvas over the slide, redrawn in OpenSeadragon's own frame: the shapes in view from the R-tree, batched by
 * style into one fill and one stroke each, shapes smaller than a few pixels as single dots (one per screen pixel),
 * then the selection's handles and the draft. No DOM node per shape.
 */
export class AnnotationOverlay {
  readonly canvas: HTMLCanvasElement;
  readonly stats: OverlayStats = { frames: 0, shapesDrawn: 0, lastMs: 0, maxMs: 0 };
  selected: string | undefined;
  draft: Draft | undefined;
  /** The ruler's line (measured, never stored). */
  ruler: Geometry | undefined;
  visible = true;
  readonly #osd: OpenSeadragon.Viewer;
  readonly #set: AnnotationSet;
  readonly #dots: DotLayer;
  readonly #tiles: AnnotationTiles;
  /** The previous frame's scale: tiles pay off only while the zoom holds still. */
  #lastScale = Number.NaN;
  #scheduled = 0;
  /** Nothing has been painted since the canvas was made: it stays unsized (no backing store) until something is. */
  #untouched = true;

  constructor(osd: OpenSeadragon.Viewer, set: AnnotationSet) {
    this.#osd = osd;
    this.#set = set;
    const doc = osd.element.ownerDocument;
    this.#dots = new DotLayer(set, doc);
    this.#tiles = new AnnotationTiles(set, doc);
    this.canvas = doc.createElement('canvas');
    this.canvas.className = 'wsi-annotations';
    osd.canvas.append(this.canvas);
    osd.addHandler('update-viewport', () => this.draw());
    osd.addHandler('resize', () => this.redraw());
    osd.addHandler('open', () => this.redraw());
  }

  /** The set changed: the zoomed-out bitmaps are made again when next needed. */
  changed(): void {
    this.#dots.invalidate();
    this.#tiles.invalidate();
    this.redraw();
  }

  /** Asks for a frame (after a change to the selection or the draft). */
  redraw(): void {
    if (this.#scheduled) return;
    const win = this.canvas.ownerDocument.defaultView!;
    this.#scheduled = win.requestAnimationFrame(() => {
      this.#scheduled = 0;
      this.draw();
    });
  }

  transform(): ScreenTransform | undefined {
    return this.#osd.world.getItemCount() > 0 ? ScreenTransform.of(this.#osd) : undefined;
  }

  draw(): void {
    // A slide without annotations never pays for the canvas: sizing it makes a screen-sized backing store and its first
    // clear, a few milliseconds in the first viewport's first frame.
    if (this.#untouched && this.#set.size === 0 && !this.draft && !this.ruler) return;
    this.#untouched = false;
    const started = performance.now();
    const win = this.canvas.ownerDocument.defaultView!;
    const dpr = win.devicePixelRatio || 1;
    const width = this.#osd.canvas.clientWidth;
    const height = this.#osd.canvas.clientHeight;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const t = this.transform();
    if (!t || !this.visible) return;
    const visible = t.visibleBox(width, height);
    // Zoomed out over a large set: the small shapes come from one bitmap, only the large ones from the tree.
    const cell = 2 ** Math.ceil(Math.log2(1 / t.scale));
    const size = this.#osd.world.getItemAt(0).getContentSize();
    const level = this.#set.size >= DOT_LAYER_MIN && cell >= DOT_LAYER_FROM ? this.#dots.at(cell, size.x, size.y) : undefined;
    const steady = t.scale === this.#lastScale && t.axisAligned;
    this.#lastScale = t.scale;
    let drawn: number;
    if (level) {
      t.apply(ctx, dpr);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(level.bitmap, 0, 0, level.bitmap.width * cell, level.bitmap.height * cell);
      ctx.imageSmoothingEnabled = true;
      const large = level.large.search({ minX: visible.x, minY: visible.y, maxX: visible.x + visible.width, maxY: visible.y + visible.height });
      paintShapes(ctx, this.#set, large, t, dpr);
      drawn = large.length + level.dots;
    } else if (steady) {
      // Panning at a steady zoom: the shapes were rendered into tiles once; a frame draws a few images.
      drawn = this.#tiles.draw(ctx, t, width, height, dpr);
    } else {
      const items = this.#set.search(visible);
      paintShapes(ctx, this.#set, items, t, dpr);
      drawn = items.length;
    }
    this.#drawSelection(ctx, t, dpr);
    this.#drawDraft(ctx, t, dpr);
    const ms = performance.now() - started;
    this.stats.frames++;
    this.stats.shapesDrawn = drawn;
    this.stats.lastMs = ms;
    this.stats.maxMs = Math.max(this.stats.maxMs, ms);
  }

  #drawSelection(ctx: CanvasRenderingContext2D, t: ScreenTransform, dpr: number): void {
    const a: Annotation | undefined = this.selected ? this.#set.get(this.selected) : undefined;
    if (!a) return;
    const path = new Path2D();
    tracePath(path, a.geometry, a.style.pointRadius ?? POINT_PX / t.scale);
    t.apply(ctx, dpr);
    ctx.lineWidth = (STROKE_PX * 2) / t.scale;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke(path);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = '#000000';
    ctx.lineWidth = 1;
    for (const h of handlesOf(a.geometry)) {
      const p = t.toScreen(h);
      ctx.fillRect(p.x - HANDLE_PX / 2, p.y - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX);
      ctx.strokeRect(p.x - HANDLE_PX / 2, p.y - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX);
    }
  }

  #drawDraft(ctx: CanvasRenderingContext2D, t: ScreenTransform, dpr: number): void {
    for (const [geometry, color] of [
      [this.draft?.geometry, this.draft?.style.color],
      [this.ruler, '#ffd54a'],
    ] as const) {
      if (!geometry || !color) continue;
      const path = new Path2D();
      tracePath(path, geometry, POINT_PX / t.scale);
      t.apply(ctx, dpr);
      ctx.lineWidth = (STROKE_PX * 1.5) / t.scale;
      ctx.setLineDash([6 / t.scale, 4 / t.scale]);
      ctx.strokeStyle = color;
      ctx.stroke(path);
      ctx.setLineDash([]);
    }
  }

  /** The screen handles of the selected shape, for the select tool. */
  handleAt(screen: { x: number; y: number }): number | undefined {
    const a = this.selected ? this.#set.get(this.selected) : undefined;
    const t = this.transform();
    if (!a || !t) return undefined;
    const index = handlesOf(a.geometry).findIndex((h) => {
      const p = t.toScreen(h);
      return Math.abs(p.x - screen.x) <= HANDLE_PX && Math.abs(p.y - screen.y) <= HANDLE_PX;
    });
    return index === -1 ? undefined : index;
  }

  destroy(): void {
    if (this.#scheduled) this.canvas.ownerDocument.defaultView?.cancelAnimationFrame(this.#scheduled);
    this.canvas.remove();
  }
}
