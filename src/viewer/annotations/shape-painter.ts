import type { AnnotationSet, IndexedBox } from '../../annotations/annotation-set.js';
import { isClosed, outlineOf } from '../../annotations/geometry.js';
import type { AnnotationStyle, Geometry } from '../../annotations/types.js';
import type { ScreenTransform } from './screen-transform.js';

/** Below this size on screen (CSS px) a shape is drawn as a dot: its outline would be a smudge anyway. */
const DOT_BELOW = 3;
/** Outlines are drawn for shapes at least this large on screen; smaller ones are filled only (strokes cost the most). */
const OUTLINE_FROM = 12;
export const STROKE_PX = 1.5;
export const POINT_PX = 5;

export function tracePath(path: Path2D, g: Geometry, pointRadius: number): void {
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
  /** Closed shapes and points: filled, then outlined. */
  fill: Path2D;
  /** Closed shapes too small to be worth an outline: filled only. */
  fillOnly: Path2D;
  /** Lines and polylines: stroked. */
  line: Path2D;
}

/**
 * Paints shapes with transform `t` into a canvas of `width` × `height` CSS px: batched by style into one fill and one
 * stroke each, shapes under a few pixels as single dots (one per device pixel), small ones without outlines.
 */
export function paintShapes(
  ctx: CanvasRenderingContext2D,
  set: AnnotationSet,
  items: ReadonlyArray<Readonly<IndexedBox>>,
  t: ScreenTransform,
  dpr: number,
): void {
  const batches = new Map<string, StyleBatch>();
  // One dot per device pixel at most: at low zoom, thousands of shapes fall on a few pixels.
  const dots = new Map<string, Set<number>>();
  const dotSize = Math.max(1, Math.round(2 * dpr));
  for (const item of items) {
    const a = set.get(item.id);
    if (!a) continue;
    const sizeOnScreen = Math.max(item.maxX - item.minX, item.maxY - item.minY) * t.scale;
    if (a.geometry.kind !== 'point' && sizeOnScreen < DOT_BELOW) {
      const p = t.toScreen({ x: (item.minX + item.maxX) / 2, y: (item.minY + item.maxY) / 2 });
      // A dot whose centre is off this canvas belongs to a neighbouring tile.
      if (p.x < 0 || p.y < 0) continue;
      const cells = dots.get(a.style.color) ?? new Set<number>();
      dots.set(a.style.color, cells);
      cells.add(Math.floor((p.y * dpr) / dotSize) * 65536 + Math.floor((p.x * dpr) / dotSize));
      continue;
    }
    const key = `${a.style.color}|${a.style.opacity}`;
    const batch = batches.get(key) ?? { style: a.style, fill: new Path2D(), fillOnly: new Path2D(), line: new Path2D() };
    batches.set(key, batch);
    const closed = isClosed(a.geometry) || a.geometry.kind === 'point';
    const path = !closed ? batch.line : sizeOnScreen < OUTLINE_FROM && a.geometry.kind !== 'point' ? batch.fillOnly : batch.fill;
    tracePath(path, a.geometry, a.style.pointRadius ?? POINT_PX / t.scale);
  }
  t.apply(ctx, dpr);
  ctx.lineWidth = STROKE_PX / t.scale;
  ctx.lineJoin = 'round';
  for (const { style, fill, fillOnly, line } of batches.values()) {
    ctx.fillStyle = style.color;
    ctx.strokeStyle = style.color;
    // Small shapes get a stronger fill in place of the outline that would have marked them.
    ctx.globalAlpha = Math.min(1, style.opacity * 1.5);
    ctx.fill(fillOnly);
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
}
