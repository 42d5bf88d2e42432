import { SlideError } from '../errors.js';
import { ANNOTATION_KINDS, type AnnotationStyle, type Geometry, type Point } from './types.js';

/** Limits the fork lacked (its §12.6): enough for any real slide, small enough that one request cannot exhaust memory. */
export const ANNOTATION_LIMITS = { points: 1_000_000, label: 10_000, author: 256, id: 128, propertiesBytes: 64 * 1024 } as const;

const RESERVED_IDS = new Set(['export', 'import', 'batch']);

const invalid = (message: string) => new SlideError('invalid_annotation', message);

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${field} must be a finite number`);
  return value;
}

function positive(value: unknown, field: string): number {
  if (finite(value, field) <= 0) throw invalid(`${field} must be greater than 0`);
  return value as number;
}

function point(value: unknown): Point {
  if (typeof value !== 'object' || value === null) throw invalid('a point must be an object {x, y}');
  const { x, y } = value as Record<string, unknown>;
  return { x: finite(x, 'x'), y: finite(y, 'y') };
}

function points(value: unknown, min: number, kind: string): Point[] {
  if (!Array.isArray(value)) throw invalid(`${kind} points must be an array`);
  if (value.length < min) throw invalid(`${kind} requires at least ${min} points`);
  if (value.length > ANNOTATION_LIMITS.points) throw invalid(`${kind} has more than ${ANNOTATION_LIMITS.points} points`);
  return value.map(point);
}

/**
 * Checks a geometry by the fork's rules and messages (finite numbers, positive sizes, 3 polygon / 2 polyline points)
 * and returns it with only its own fields, so nothing a client added rides along into storage.
 */
export function validGeometry(value: unknown): Geometry {
  if (typeof value !== 'object' || value === null) throw invalid('geometry must be an object');
  const g = value as Record<string, unknown>;
  switch (g.kind) {
    case 'point':
      return { kind: 'point', point: point(g.point) };
    case 'rectangle': {
      const x = finite(g.x, 'x');
      const y = finite(g.y, 'y');
      return { kind: 'rectangle', x, y, width: positive(g.width, 'width'), height: positive(g.height, 'height') };
    }
    case 'polygon':
      return { kind: 'polygon', points: points(g.points, 3, 'polygon') };
    case 'polyline':
      return { kind: 'polyline', points: points(g.points, 2, 'polyline') };
    case 'circle':
      return { kind: 'circle', center: point(g.center), radius: positive(g.radius, 'radius') };
    case 'ellipse':
      return { kind: 'ellipse', center: point(g.center), radius_x: positive(g.radius_x, 'radius_x'), radius_y: positive(g.radius_y, 'radius_y') };
    case 'line':
      return { kind: 'line', start: point(g.start), end: point(g.end) };
    default:
      throw invalid(`geometry.kind must be one of ${ANNOTATION_KINDS.join(', ')}`);
  }
}

/** `#RRGGBB` or `#RRGGBBAA`, hexadecimal digits checked (the fork checked only the length). */
export function validColor(value: unknown): string {
  if (typeof value !== 'string' || !/^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(value)) throw invalid('color must be a #RRGGBB or #RRGGBBAA hex value');
  return value;
}

export function validStyle(value: unknown): AnnotationStyle {
  if (typeof value !== 'object' || value === null) throw invalid('style must be an object {color, opacity}');
  const s = value as Record<string, unknown>;
  const opacity = finite(s.opacity, 'opacity');
  if (opacity < 0 || opacity > 1) throw invalid('opacity must be between 0 and 1');
  const color = validColor(s.color);
  const radius = s.pointRadius ?? s.point_radius;
  return radius === undefined || radius === null ? { color, opacity } : { color, opacity, pointRadius: positive(radius, 'point_radius') };
}

export function validLabel(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid('label must be a string or null');
  if (value.length > ANNOTATION_LIMITS.label) throw invalid(`label is longer than ${ANNOTATION_LIMITS.label} characters`);
  return value;
}

export function validAuthor(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('author_id is required');
  if (value.length > ANNOTATION_LIMITS.author) throw invalid(`author_id is longer than ${ANNOTATION_LIMITS.author} characters`);
  return value;
}

/** An id a client chose: 1–128 characters of letters, digits and `._:-`, and not a route's literal segment. */
export function validId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(value) || RESERVED_IDS.has(value)) {
    throw invalid('id must be 1–128 letters, digits or ._:- and not "export", "import" or "batch"');
  }
  return value;
}

export function validProperties(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('properties must be an object');
  if (JSON.stringify(value).length > ANNOTATION_LIMITS.propertiesBytes) throw invalid(`properties are larger than ${ANNOTATION_LIMITS.propertiesBytes} bytes`);
  return value as Record<string, unknown>;
}
