import OpenSeadragon from 'openseadragon';
import type { Box, Point } from '../../annotations/types.js';

/**
 * Level-0 pixels to the viewer's CSS pixels for the current frame: screen = origin + x·u + y·v (OpenSeadragon's
 * rotation and flip included). Taken once per frame, so drawing 200,000 shapes costs no OpenSeadragon call per vertex.
 */
export class ScreenTransform {
  readonly origin: Point;
  readonly u: Point;
  readonly v: Point;
  /** CSS pixels per level-0 pixel. */
  readonly scale: number;

  constructor(origin: Point, u: Point, v: Point) {
    this.origin = origin;
    this.u = u;
    this.v = v;
    this.scale = Math.hypot(u.x, u.y);
  }

  /** The viewer's transform now (its first image). */
  static of(osd: OpenSeadragon.Viewer): ScreenTransform {
    const image = osd.world.getItemAt(0);
    const size = image.getContentSize();
    const at = (x: number, y: number) => image.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
    const o = at(0, 0);
    const a = at(size.x, 0);
    const b = at(0, size.y);
    return new ScreenTransform({ x: o.x, y: o.y }, { x: (a.x - o.x) / size.x, y: (a.y - o.y) / size.x }, { x: (b.x - o.x) / size.y, y: (b.y - o.y) / size.y });
  }

  /** No rotation or flip: x maps to screen x, y to screen y, at one scale (what the overlay's tiles need). */
  get axisAligned(): boolean {
    return this.u.y === 0 && this.v.x === 0 && this.u.x > 0 && Math.abs(this.v.y - this.u.x) <= 1e-9 * this.u.x;
  }

  /** The same scale with another origin: drawing into a tile whose top-left is `origin` on this transform's screen. */
  shifted(origin: Point): ScreenTransform {
    return new ScreenTransform({ x: this.origin.x - origin.x, y: this.origin.y - origin.y }, this.u, this.v);
  }

  toScreen(p: Point): Point {
    return { x: this.origin.x + p.x * this.u.x + p.y * this.v.x, y: this.origin.y + p.x * this.u.y + p.y * this.v.y };
  }

  toImage(p: Point): Point {
    const det = this.u.x * this.v.y - this.v.x * this.u.y;
    const dx = p.x - this.origin.x;
    const dy = p.y - this.origin.y;
    return { x: (dx * this.v.y - dy * this.v.x) / det, y: (dy * this.u.x - dx * this.u.y) / det };
  }

  /** The level-0 box the screen rectangle (0, 0)–(width, height) shows. */
  visibleBox(width: number, height: number): Box {
    const corners = [this.toImage({ x: 0, y: 0 }), this.toImage({ x: width, y: 0 }), this.toImage({ x: 0, y: height }), this.toImage({ x: width, y: height })];
    const xs = corners.map((c) => c.x);
    const ys = corners.map((c) => c.y);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
  }

  /** Sets the canvas to draw in level-0 pixels at `dpr` device pixels per CSS pixel. */
  apply(ctx: CanvasRenderingContext2D, dpr: number): void {
    ctx.setTransform(dpr * this.u.x, dpr * this.u.y, dpr * this.v.x, dpr * this.v.y, dpr * this.origin.x, dpr * this.origin.y);
  }
}
