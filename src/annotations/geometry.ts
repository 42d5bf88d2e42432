import type { Annotation, Box, Geometry, Measurement, Point } from './types.js';

/** The box a geometry covers, as the fork stores it: a point has a zero-size box, a circle is centre ± radius. */
export function bboxOf(g: Geometry): Box {
  switch (g.kind) {
    case 'point':
      return { x: g.point.x, y: g.point.y, width: 0, height: 0 };
    case 'rectangle':
      return { x: g.x, y: g.y, width: g.width, height: g.height };
    case 'circle':
      return { x: g.center.x - g.radius, y: g.center.y - g.radius, width: 2 * g.radius, height: 2 * g.radius };
    case 'ellipse':
      return { x: g.center.x - g.radius_x, y: g.center.y - g.radius_y, width: 2 * g.radius_x, height: 2 * g.radius_y };
    case 'line':
      return boxOfPoints([g.start, g.end]);
    case 'polygon':
    case 'polyline':
      return boxOfPoints(g.points);
  }
}

/** The box a shape occupies when drawn and clicked: a point is as large as its marker (the fork indexed it as a dot). */
export function footprintOf(a: Pick<Annotation, 'geometry' | 'style'>): { minX: number; minY: number; maxX: number; maxY: number } {
  const box = bboxOf(a.geometry);
  const r = a.geometry.kind === 'point' ? (a.style.pointRadius ?? 0) : 0;
  return { minX: box.x - r, minY: box.y - r, maxX: box.x + box.width + r, maxY: box.y + box.height + r };
}

export function boxOfPoints(points: readonly Point[]): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** Whether the closed boxes touch (the fork's viewport rule: touching counts). */
export function boxesIntersect(a: Box, b: Box): boolean {
  return a.x <= b.x + b.width && a.x + a.width >= b.x && a.y <= b.y + b.height && a.y + a.height >= b.y;
}

/** An ellipse's outline as `n` vertices, vertex i at angle 2πi/n (the fork's and ImageScope's convention). */
export function ellipsePoints(center: Point, rx: number, ry: number, n: number): Point[] {
  return Array.from({ length: n }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    return { x: center.x + rx * Math.cos(t), y: center.y + ry * Math.sin(t) };
  });
}

/** The vertices a geometry is drawn and exported with; closed shapes are open rings (first point not repeated). */
export function outlineOf(g: Geometry, ellipseVertices = 64): Point[] {
  switch (g.kind) {
    case 'point':
      return [g.point];
    case 'rectangle':
      return [
        { x: g.x, y: g.y },
        { x: g.x + g.width, y: g.y },
        { x: g.x + g.width, y: g.y + g.height },
        { x: g.x, y: g.y + g.height },
      ];
    case 'circle':
      return ellipsePoints(g.center, g.radius, g.radius, ellipseVertices);
    case 'ellipse':
      return ellipsePoints(g.center, g.radius_x, g.radius_y, ellipseVertices);
    case 'line':
      return [g.start, g.end];
    case 'polygon':
    case 'polyline':
      return g.points;
  }
}

export function isClosed(g: Geometry): boolean {
  return g.kind === 'rectangle' || g.kind === 'polygon' || g.kind === 'circle' || g.kind === 'ellipse';
}

/** The geometry moved by (dx, dy). */
export function translated(g: Geometry, dx: number, dy: number): Geometry {
  const f = (p: Point) => ({ x: p.x + dx, y: p.y + dy });
  switch (g.kind) {
    case 'point':
      return { kind: 'point', point: f(g.point) };
    case 'rectangle':
      return { ...g, x: g.x + dx, y: g.y + dy };
    case 'circle':
    case 'ellipse':
      return { ...g, center: f(g.center) };
    case 'line':
      return { kind: 'line', start: f(g.start), end: f(g.end) };
    case 'polygon':
    case 'polyline':
      return { kind: g.kind, points: g.points.map(f) };
  }
}

/** The geometry with vertex `index` of its outline moved to `to` (polygons, polylines, lines; rectangles by corner). */
export function withVertex(g: Geometry, index: number, to: Point): Geometry {
  switch (g.kind) {
    case 'polygon':
    case 'polyline':
      return { kind: g.kind, points: g.points.map((p, i) => (i === index ? to : p)) };
    case 'line':
      return index === 0 ? { ...g, start: to } : { ...g, end: to };
    case 'point':
      return { kind: 'point', point: to };
    case 'rectangle': {
      const corners = outlineOf(g);
      const opposite = corners[(index + 2) % 4]!;
      return {
        kind: 'rectangle',
        x: Math.min(opposite.x, to.x),
        y: Math.min(opposite.y, to.y),
        width: Math.abs(to.x - opposite.x),
        height: Math.abs(to.y - opposite.y),
      };
    }
    case 'circle':
      return { ...g, radius: Math.hypot(to.x - g.center.x, to.y - g.center.y) };
    case 'ellipse':
      return { ...g, radius_x: Math.abs(to.x - g.center.x), radius_y: Math.abs(to.y - g.center.y) };
  }
}

/** The vertices a user can drag to edit a shape (outline vertices for point lists, corners or rims otherwise). */
export function handlesOf(g: Geometry): Point[] {
  switch (g.kind) {
    case 'circle':
      return [{ x: g.center.x + g.radius, y: g.center.y }];
    case 'ellipse':
      return [{ x: g.center.x + g.radius_x, y: g.center.y + g.radius_y }];
    default:
      return outlineOf(g);
  }
}

function pathLength(points: readonly Point[], closed: boolean): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  if (closed && points.length > 2) total += Math.hypot(points[0]!.x - points.at(-1)!.x, points[0]!.y - points.at(-1)!.y);
  return total;
}

function shoelace(points: readonly Point[]): number {
  let twice = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) twice += (points[j]!.x + points[i]!.x) * (points[j]!.y - points[i]!.y);
  return Math.abs(twice) / 2;
}

/** Ramanujan's second approximation: within 1e-5 relative of the true perimeter for any ellipse a pathologist draws. */
function ellipsePerimeter(a: number, b: number): number {
  const h = ((a - b) / (a + b)) ** 2;
  return Math.PI * (a + b) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h)));
}

/**
 * Length (lines), area and perimeter (closed shapes) in µm and µm² when the slide's pixel size is known (x and y
 * scaled separately, so non-square pixels measure true), else in pixels. A point measures nothing.
 */
export function measure(g: Geometry, mpp?: { x: number; y: number }): Measurement {
  const sx = mpp?.x ?? 1;
  const sy = mpp?.y ?? 1;
  const unit = mpp ? 'µm' : 'px';
  const scaled = (points: readonly Point[]) => points.map((p) => ({ x: p.x * sx, y: p.y * sy }));
  switch (g.kind) {
    case 'point':
      return { unit };
    case 'line':
    case 'polyline':
      return { unit, length: pathLength(scaled(outlineOf(g)), false) };
    case 'rectangle':
      return { unit, area: g.width * sx * g.height * sy, perimeter: 2 * (g.width * sx + g.height * sy) };
    case 'circle':
    case 'ellipse': {
      const a = (g.kind === 'circle' ? g.radius : g.radius_x) * sx;
      const b = (g.kind === 'circle' ? g.radius : g.radius_y) * sy;
      return { unit, area: Math.PI * a * b, perimeter: ellipsePerimeter(a, b) };
    }
    case 'polygon': {
      const points = scaled(g.points);
      return { unit, area: shoelace(points), perimeter: pathLength(points, true) };
    }
  }
}

/** A measurement as a pathologist reads it: µm, or mm past 1 mm; µm², or mm² past 0.01 mm². */
export function formatMeasurement(m: Measurement): string {
  const parts: string[] = [];
  const length = (v: number) => (m.unit === 'px' ? `${v.toFixed(0)} px` : v >= 1000 ? `${(v / 1000).toFixed(2)} mm` : `${v.toFixed(1)} µm`);
  const area = (v: number) => (m.unit === 'px' ? `${v.toFixed(0)} px²` : v >= 1e4 ? `${(v / 1e6).toFixed(3)} mm²` : `${v.toFixed(0)} µm²`);
  if (m.length !== undefined) parts.push(length(m.length));
  if (m.area !== undefined) parts.push(area(m.area));
  if (m.perimeter !== undefined) parts.push(`perimeter ${length(m.perimeter)}`);
  return parts.join(' · ');
}

/** Distance from `p` to the segment a–b. */
function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

function insideRing(p: Point, ring: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Whether `p` is on the shape: inside a closed one, or within `tolerance` of its outline, line or point. */
export function hitsGeometry(g: Geometry, p: Point, tolerance: number, pointRadius = 0): boolean {
  if (g.kind === 'point') return Math.hypot(p.x - g.point.x, p.y - g.point.y) <= Math.max(tolerance, pointRadius);
  if (g.kind === 'circle') return Math.hypot(p.x - g.center.x, p.y - g.center.y) <= g.radius + tolerance;
  if (g.kind === 'ellipse') {
    const rx = g.radius_x + tolerance;
    const ry = g.radius_y + tolerance;
    return ((p.x - g.center.x) / rx) ** 2 + ((p.y - g.center.y) / ry) ** 2 <= 1;
  }
  const points = outlineOf(g);
  if (isClosed(g) && insideRing(p, points)) return true;
  const closed = isClosed(g);
  for (let i = 1; i < points.length + (closed ? 1 : 0); i++) {
    if (segmentDistance(p, points[i - 1]!, points[i % points.length]!) <= tolerance) return true;
  }
  return false;
}
