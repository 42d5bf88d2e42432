import type { IncomingMessage } from 'node:http';
import type { AnnotationStyle, Geometry } from '../../annotations/types.js';
import { validAuthor, validGeometry, validId, validLabel, validProperties, validStyle } from '../../annotations/validate.js';
import { SlideError } from '../../errors.js';
import { ApiError } from '../http-error.js';
import { isJsonObject } from '../../annotations/json-object.js';

/** The fork's body limit for JSON routes. */
export const JSON_BODY_LIMIT = 2 * 1024 * 1024;
/** Imports may be whole slides' worth of shapes (the fork capped them at 2 MiB too). */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = () => new ApiError('payload_too_large', `The request body is larger than ${limit} bytes.`);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (signal.aborted) throw new ApiError('connection_error', 'The request was cancelled.');
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A JSON body, with the fork's statuses (415 without a JSON Content-Type, 400 for bad JSON) in the JSON error shape. */
export async function jsonBody(req: IncomingMessage, signal: AbortSignal): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new ApiError('unsupported_media_type', 'Expected request with `Content-Type: application/json`.');
  }
  const body = await readBody(req, JSON_BODY_LIMIT, signal);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ApiError('invalid_json', `Failed to parse the request body as JSON: ${(e as Error).message}`);
  }
}

const shape = (path: string, reason: string) => new ApiError('invalid_body', `Failed to deserialize the JSON body into the target type: ${path}: ${reason}`);

type FieldType = 'number' | 'point' | 'points';
const GEOMETRY_FIELDS: Record<Geometry['kind'], Record<string, FieldType>> = {
  point: { point: 'point' },
  rectangle: { x: 'number', y: 'number', width: 'number', height: 'number' },
  polygon: { points: 'points' },
  polyline: { points: 'points' },
  circle: { center: 'point', radius: 'number' },
  ellipse: { center: 'point', radius_x: 'number', radius_y: 'number' },
  line: { start: 'point', end: 'point' },
};

function checkPoint(v: unknown, path: string): void {
  if (!isJsonObject(v)) throw shape(path, 'expected an object {x, y}');
  for (const k of ['x', 'y']) if (typeof v[k] !== 'number') throw shape(`${path}.${k}`, 'expected a number');
}

/** The 422 checks: the geometry has a known kind and its fields have the right types (values are checked after). */
function checkGeometryShape(v: unknown, path: string): void {
  if (!isJsonObject(v)) throw shape(path, 'expected an object');
  const fields = GEOMETRY_FIELDS[v.kind as Geometry['kind']];
  if (!fields || typeof v.kind !== 'string' || !Object.hasOwn(GEOMETRY_FIELDS, v.kind)) {
    throw shape(`${path}.kind`, `unknown variant, expected one of ${Object.keys(GEOMETRY_FIELDS).join(', ')}`);
  }
  for (const [name, type] of Object.entries(fields)) {
    const value = v[name];
    if (value === undefined) throw shape(path, `missing field \`${name}\``);
    if (type === 'number' && typeof value !== 'number') throw shape(`${path}.${name}`, 'expected a number');
    if (type === 'point') checkPoint(value, `${path}.${name}`);
    if (type === 'points') {
      if (!Array.isArray(value)) throw shape(`${path}.${name}`, 'expected an array');
      for (const [i, p] of value.entries()) checkPoint(p, `${path}.${name}[${i}]`);
    }
  }
}

function checkStyleShape(v: unknown, path: string): void {
  if (!isJsonObject(v)) throw shape(path, 'expected an object');
  if (v.color === undefined) throw shape(path, 'missing field `color`');
  if (typeof v.color !== 'string') throw shape(`${path}.color`, 'expected a string');
  if (v.opacity === undefined) throw shape(path, 'missing field `opacity`');
  if (typeof v.opacity !== 'number') throw shape(`${path}.opacity`, 'expected a number');
  if (v.point_radius !== undefined && v.point_radius !== null && typeof v.point_radius !== 'number') throw shape(`${path}.point_radius`, 'expected a number');
}

function checkOptionalString(v: unknown, path: string): void {
  if (v !== undefined && v !== null && typeof v !== 'string') throw shape(path, 'expected a string or null');
}

/** Model rule failures (SlideError `invalid_annotation`) as the interface's 400 `invalid_request`, same message. */
export function asInvalidRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (SlideError.is(e) && e.code === 'invalid_annotation') throw new ApiError('invalid_request', e.message);
    throw e;
  }
}

export interface CreateFields {
  slideId?: string;
  id?: string;
  geometry: Geometry;
  style?: AnnotationStyle;
  label: string | null;
  author: string;
  properties: Record<string, unknown>;
}

/** A create body (R2, or a batch create item with its `slide_id`): shape (422) first, then the fork's rules (400). */
export function createFields(body: unknown, path: string, withSlide: boolean): CreateFields {
  if (!isJsonObject(body)) throw shape(path || '.', 'expected an object');
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (body.geometry === undefined) throw shape(path || '.', 'missing field `geometry`');
  checkGeometryShape(body.geometry, at('geometry'));
  if (body.style !== undefined) checkStyleShape(body.style, at('style'));
  if (body.author_id === undefined) throw shape(path || '.', 'missing field `author_id`');
  if (typeof body.author_id !== 'string') throw shape(at('author_id'), 'expected a string');
  if (withSlide && body.slide_id === undefined) throw shape(path || '.', 'missing field `slide_id`');
  if (withSlide && typeof body.slide_id !== 'string') throw shape(at('slide_id'), 'expected a string');
  checkOptionalString(body.label, at('label'));
  checkOptionalString(body.id, at('id'));
  return asInvalidRequest(() => {
    const geometry = validGeometry(body.geometry);
    const style = body.style === undefined ? undefined : validStyle(body.style);
    if (withSlide && (body.slide_id as string).trim() === '') throw new SlideError('invalid_annotation', 'slide_id is required');
    const author = validAuthor(body.author_id);
    return {
      ...(withSlide ? { slideId: body.slide_id as string } : {}),
      ...(typeof body.id === 'string' ? { id: validId(body.id) } : {}),
      geometry,
      ...(style ? { style } : {}),
      label: validLabel(body.label ?? null),
      author,
      properties: validProperties(body.properties),
    };
  });
}

export interface UpdateFields {
  id?: string;
  geometry?: Geometry;
  style?: AnnotationStyle;
  /** Absent: keep; null: clear (the fork could not clear a label). */
  label?: string | null;
  author?: string;
  properties?: Record<string, unknown>;
}

/** An update body (R5/R9, or a batch update item with its `id`). */
export function updateFields(body: unknown, path: string, withId: boolean): UpdateFields {
  if (!isJsonObject(body)) throw shape(path || '.', 'expected an object');
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (body.geometry !== undefined) checkGeometryShape(body.geometry, at('geometry'));
  if (body.style !== undefined) checkStyleShape(body.style, at('style'));
  if (body.author_id !== undefined && typeof body.author_id !== 'string') throw shape(at('author_id'), 'expected a string');
  if (withId && typeof body.id !== 'string') throw shape(path || '.', body.id === undefined ? 'missing field `id`' : 'id: expected a string');
  checkOptionalString(body.label, at('label'));
  return asInvalidRequest(() => ({
    ...(withId ? { id: body.id as string } : {}),
    // The fork's order: style, then geometry (then existence, then author, checked by the caller).
    ...(body.style !== undefined ? { style: validStyle(body.style) } : {}),
    ...(body.geometry !== undefined ? { geometry: validGeometry(body.geometry) } : {}),
    ...('label' in body ? { label: validLabel(body.label ?? null) } : {}),
    ...(body.author_id !== undefined ? { author: body.author_id as string } : {}),
    ...(body.properties !== undefined ? { properties: validProperties(body.properties) } : {}),
  }));
}
