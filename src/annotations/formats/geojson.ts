import { SlideError } from '../../errors.js';
import { outlineOf } from '../geometry.js';
import type { Annotation, Geometry, Measurement, Point } from '../types.js';
import { argbToHex, hexToRgb, rgbToHex } from './colours.js';
import { type FormatOptions, ImportCollector, type ImportResult } from './import-result.js';
import { isJsonObject, type JsonObject } from '../json-object.js';

/**
 * GeoJSON as QuPath writes it: a FeatureCollection whose features carry `objectType: "annotation"`, `name`, `color`
 * [r, g, b], `classification {name, color}` and `measurements` in their properties. What GeoJSON has no place for
 * (a circle or ellipse, which travel as polygons; opacity; author; times) rides in `properties.wsiStream`, so a file
 * we write reads back to the same shapes.
 */

const pos = (p: Point): [number, number] => [p.x, p.y];
const ring = (points: readonly Point[]) => [...points.map(pos), pos(points[0]!)];

function geoJsonGeometry(g: Geometry): Record<string, unknown> {
  switch (g.kind) {
    case 'point':
      return { type: 'Point', coordinates: pos(g.point) };
    case 'line':
    case 'polyline':
      return { type: 'LineString', coordinates: outlineOf(g).map(pos) };
    default:
      return { type: 'Polygon', coordinates: [ring(outlineOf(g))] };
  }
}

/** QuPath's measurement names. */
function measurementsOf(m: Measurement | undefined): Record<string, number> | undefined {
  if (!m) return undefined;
  const area = m.unit === 'µm' ? 'Area µm^2' : 'Area px^2';
  const out: Record<string, number> = {};
  if (m.length !== undefined) out[`Length ${m.unit}`] = m.length;
  if (m.area !== undefined) out[area] = m.area;
  if (m.perimeter !== undefined) out[`Perimeter ${m.unit}`] = m.perimeter;
  return Object.keys(out).length ? out : undefined;
}

function feature(a: Annotation): Record<string, unknown> {
  const { classification, measurements, ...rest } = a.properties;
  const rgb = hexToRgb(a.style.color);
  // Polygons and lines read back as they are; the others need their own parameters.
  const exact = a.geometry.kind === 'circle' || a.geometry.kind === 'ellipse' || a.geometry.kind === 'rectangle' || a.geometry.kind === 'line';
  const wsiStream: Record<string, unknown> = {
    ...(exact ? { geometry: a.geometry } : {}),
    ...(rgbToHex(rgb) === a.style.color ? {} : { color: a.style.color }),
    opacity: a.style.opacity,
    ...(a.style.pointRadius === undefined ? {} : { pointRadius: a.style.pointRadius }),
    author: a.author,
    created: a.created,
    updated: a.updated,
    ...(Object.keys(rest).length ? { properties: rest } : {}),
  };
  const qupathMeasurements = measurementsOf(measurements);
  return {
    type: 'Feature',
    id: a.id,
    geometry: geoJsonGeometry(a.geometry),
    properties: {
      objectType: 'annotation',
      ...(a.label === null ? {} : { name: a.label }),
      color: rgb,
      ...(classification ? { classification: { name: classification.name, ...(classification.color ? { color: hexToRgb(classification.color) } : {}) } } : {}),
      ...(qupathMeasurements ? { measurements: qupathMeasurements } : {}),
      wsiStream,
    },
  };
}

export function toGeoJson(annotations: readonly Annotation[]): string {
  return JSON.stringify({ type: 'FeatureCollection', features: annotations.map(feature) }, null, 2);
}

// ---- reading ----

function position(value: unknown): Point {
  if (!Array.isArray(value) || value.length < 2) throw new SlideError('invalid_annotation', 'coordinate pair expected');
  const [x, y] = value as unknown[];
  if (typeof x !== 'number') throw new SlideError('invalid_annotation', 'x coordinate expected');
  if (typeof y !== 'number') throw new SlideError('invalid_annotation', 'y coordinate expected');
  return { x, y };
}

function positions(value: unknown): Point[] {
  if (!Array.isArray(value)) throw new SlideError('invalid_annotation', 'coordinates array expected');
  return value.map(position);
}

/** A ring without its closing position. */
function openRing(value: unknown): Point[] {
  const points = positions(value);
  const [first, last] = [points[0], points.at(-1)];
  if (points.length > 1 && first && last && first.x === last.x && first.y === last.y) points.pop();
  return points;
}

/** One GeoJSON geometry as our geometries: Multi* give one per part; polygon holes are reported, not kept. */
function geometriesOf(g: JsonObject, holes: () => void): Geometry[] {
  const c = g.coordinates;
  const polygon = (rings: unknown): Geometry => {
    if (!Array.isArray(rings) || rings.length === 0) throw new SlideError('invalid_annotation', 'polygon ring is required');
    if (rings.length > 1) holes();
    return { kind: 'polygon', points: openRing(rings[0]) };
  };
  const line = (coordinates: unknown): Geometry => {
    const points = positions(coordinates);
    return points.length === 2 ? { kind: 'line', start: points[0]!, end: points[1]! } : { kind: 'polyline', points };
  };
  switch (g.type) {
    case 'Point': {
      const p = position(c);
      // The fork's circles and ellipses: a Point with radius members.
      if (typeof g.radius === 'number') return [{ kind: 'circle', center: p, radius: g.radius }];
      if (typeof g.radius_x === 'number' && typeof g.radius_y === 'number') return [{ kind: 'ellipse', center: p, radius_x: g.radius_x, radius_y: g.radius_y }];
      return [{ kind: 'point', point: p }];
    }
    case 'MultiPoint':
      return positions(c).map((point) => ({ kind: 'point', point }));
    case 'LineString':
      return [line(c)];
    case 'MultiLineString':
      if (!Array.isArray(c)) throw new SlideError('invalid_annotation', 'coordinates array expected');
      return c.map(line);
    case 'Polygon':
      return [polygon(c)];
    case 'MultiPolygon':
      if (!Array.isArray(c)) throw new SlideError('invalid_annotation', 'coordinates array expected');
      return c.map(polygon);
    case undefined:
      throw new SlideError('invalid_annotation', 'geometry.type is required');
    default:
      throw new SlideError('unsupported_annotation_format', `unsupported GeoJSON geometry: ${String(g.type).slice(0, 40)}`);
  }
}

function colourOf(value: unknown): string | undefined {
  if (typeof value === 'string' && /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/.test(value)) return value;
  if (Array.isArray(value) && value.length >= 3 && value.every((v) => typeof v === 'number')) return rgbToHex(value as number[]);
  if (typeof value === 'number') return argbToHex(value);
  return undefined;
}

function classificationOf(value: unknown): { name: string; color?: string } | undefined {
  if (typeof value === 'string') return { name: value };
  if (!isJsonObject(value) || typeof value.name !== 'string') return undefined;
  const color = colourOf(value.color ?? value.colorRGB);
  return { name: value.name, ...(color ? { color } : {}) };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The features of a FeatureCollection, a lone Feature, or an array of Features (QuPath writes all three). */
function featuresOf(root: unknown): unknown[] {
  if (Array.isArray(root)) return root;
  if (isJsonObject(root) && Array.isArray(root.features)) return root.features;
  if (isJsonObject(root) && root.type === 'Feature') return [root];
  throw new SlideError('unsupported_annotation_format', 'GeoJSON FeatureCollection expected');
}

/**
 * Reads QuPath's GeoJSON (and the fork's, and any GeoJSON of points, lines and polygons). Multi-geometries become one
 * shape per part; a feature that cannot be read is reported by index and the others are kept.
 */
export function fromGeoJson(text: string, options: FormatOptions = {}): ImportResult {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    throw new SlideError('unsupported_annotation_format', `The GeoJSON is not valid JSON (${(cause as Error).message}).`, { cause });
  }
  const out = new ImportCollector(options);
  featuresOf(root).forEach((f, index) => {
    const id = isJsonObject(f) && (typeof f.id === 'string' || typeof f.id === 'number') ? String(f.id) : undefined;
    out.take(index, id, () => {
      if (!isJsonObject(f) || !isJsonObject(f.geometry)) throw new SlideError('invalid_annotation', 'feature.geometry is required');
      const p = isJsonObject(f.properties) ? f.properties : {};
      const ours = isJsonObject(p.wsiStream) ? p.wsiStream : {};
      const geometries = isJsonObject(ours.geometry)
        ? [ours.geometry as Geometry]
        : geometriesOf(f.geometry, () => out.note(index, id, 'polygon holes are not kept'));
      const classification = classificationOf(p.classification);
      const color = str(ours.color) ?? colourOf(p.color) ?? classification?.color ?? '#ff3366';
      const opacity = num(ours.opacity) ?? num(p.opacity) ?? 0.55;
      const pointRadius = num(ours.pointRadius) ?? num(p.point_radius);
      const properties = { ...(isJsonObject(ours.properties) ? ours.properties : {}), ...(classification ? { classification } : {}) };
      geometries.forEach((geometry, part) => {
        out.add({
          id: typeof f.id === 'string' ? (geometries.length > 1 ? `${f.id}-${part + 1}` : f.id) : undefined,
          geometry,
          label: str(p.name) ?? str(p.label) ?? null,
          style: { color, opacity, ...(pointRadius === undefined ? {} : { pointRadius }) },
          author: str(ours.author) ?? str(p.author_id),
          created: num(ours.created) ?? (num(p.created_at) === undefined ? undefined : num(p.created_at)! * 1000),
          updated: num(ours.updated) ?? (num(p.updated_at) === undefined ? undefined : num(p.updated_at)! * 1000),
          properties,
        });
      });
    });
  });
  return out.result();
}
