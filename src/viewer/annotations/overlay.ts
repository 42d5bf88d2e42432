import type OpenSeadragon from 'openseadragon';
import type { AnnotationSet } from '../../annotations/annotation-set.js';
import { handlesOf, isClosed, outlineOf } from '../../annotations/geometry.js';
import type { Annotation, AnnotationStyle, Geometry } from '../../annotations/types.js';
import { ScreenTransform } from './screen-transform.js';

/** Below this size on screen (CSS px) a shape is drawn as a dot: its outline would be a smudge anyway. */
const DOT_BELOW = 3;
const STROKE_PX = 1.5;
const POINT_PX = 5;
const HANDLE_PX = 8;

/** Frame times of the overlay alone, for the benchmark and for hosts that watch their own frame budget. */
export interface OverlayStats {
  frames: number;
  shapesDrawn: number;
  lastMs: number;
  maxMs: number;
}

/** A shape being drawn or edited, shown over the stored ones (dashed), not yet in the set. */
export interface Draft {
  geometry: Geometry;
  style: AnnotationStyle;
}

function tracePath(path: Path2D, g: Geometry, pointRadius: number): void {
  switch (g.kind) {
    case 'point':
      path.moveTo(g.point.x + pointRadius, g.point.y);
      path.arc(g.point.x, g.point.y, pointRadius, 0, 2 * Math.PI);
      return;
    case 'circle':
      path.moveTo(g.center.x + g.radius, g.center.y);
      path.arc(g.center.x, g.center.y, g.radius, 0, 2 * Math.PI);
      return;
    case 'ellipse':
      path.moveTo(g.center.x + g.radius_x, g.center.y);
      path.ellipse(g.center.x, g.center.y, g.radius_x, g.radius_y, 0, 0, 2 * Math.PI);
      return;
    default: {
      const points = outlineOf(g);
      path.moveTo(points[0]!.x, points[0]!.y);
      for (let i = 1; i < points.length; i++) path.lineTo(points[i]!.x, points[i]!.y);
      if (isClosed(g)) path.closePath();
    }
  }
}

interface StyleBatch {
  style: AnnotationStyle;
  fill: Path2D;
  line: Path2D;
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
  #scheduled = 0;

  constructor(osd: OpenSeadragon.Viewer, set: AnnotationSet) {
    this.#osd = osd;
    this.#set = set;
    const doc = osd.element.ownerDocument;
    this.canvas = doc.createElement('canvas');
    this.canvas.className = 'wsi-annotations';
    osd.canvas.append(this.canvas);
    osd.addHandler('update-viewport', () => this.draw());
    osd.addHandler('resize', () => this.redraw());
    osd.addHandler('open', () => this.redraw());
  }

  /** Asks for a frame (after a change to the set, the selection or the draft). */
  redraw(): void {
    if (this.#scheduled) return;
    const win = this.canvas.ownerDocument.defaultView!;
    this.#scheduled = win.requestAnimationFrame(() => {
      this.#scheduled = 0;
      this.draw();
    });
  }

  transform(): ScreenTransform | undefined {
    return this.#osd.world.getItemCount() > 0 ? new ScreenTransform(this.#osd) : undefined;
  }

  draw(): void {
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
    const items = this.#set.search(t.visibleBox(width, height));
    const batches = new Map<string, StyleBatch>();
    // One dot per device pixel at most: at low zoom, 200,000 shapes fall on a few thousand pixels.
    const dots = new Map<string, Set<number>>();
    const dotSize = Math.max(1, Math.round(2 * dpr));
    for (const item of items) {
      const a = this.#set.get(item.id)!;
      const sizeOnScreen = Math.max(item.maxX - item.minX, item.maxY - item.minY) * t.scale;
      if (a.geometry.kind !== 'point' && sizeOnScreen < DOT_BELOW) {
        const p = t.toScreen({ x: (item.minX + item.maxX) / 2, y: (item.minY + item.maxY) / 2 });
        const px = Math.floor((p.x * dpr) / dotSize);
        const py = Math.floor((p.y * dpr) / dotSize);
        const cells = dots.get(a.style.color) ?? new Set<number>();
        dots.set(a.style.color, cells);
        cells.add(py * 65536 + px);
        continue;
      }
      const key = `${a.style.color}|${a.style.opacity}`;
      const batch = batches.get(key) ?? { style: a.style, fill: new Path2D(), line: new Path2D() };
      batches.set(key, batch);
      const radius = a.style.pointRadius ?? POINT_PX / t.scale;
      tracePath(isClosed(a.geometry) || a.geometry.kind === 'point' ? batch.fill : batch.line, a.geometry, radius);
    }
    t.apply(ctx, dpr);
    ctx.lineWidth = STROKE_PX / t.scale;
    ctx.lineJoin = 'round';
    for (const { style, fill, line } of batches.values()) {
      ctx.fillStyle = style.color;
      ctx.strokeStyle = style.color;
      ctx.globalAlpha = style.opacity;
      ctx.fill(fill);
      ctx.globalAlpha = 1;
      ctx.stroke(fill);
      ctx.stroke(line);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (const [color, cells] of dots) {
      ctx.fillStyle = color;
      for (const cell of cells) ctx.fillRect((cell % 65536) * dotSize, Math.floor(cell / 65536) * dotSize, dotSize, dotSize);
    }
    this.#drawSelection(ctx, t, dpr);
    this.#drawDraft(ctx, t, dpr);
    const ms = performance.now() - started;
    this.stats.frames++;
    this.stats.shapesDrawn = items.length;
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
