import type { IncomingMessage } from 'node:http';
import { toForkAnnotation } from '../../annotations/formats/fork-json.js';
import { type AnnotationFormat, exportAnnotations, importAnnotations } from '../../annotations/formats/index.js';
import { ANNOTATION_KINDS, type Annotation, type AnnotationKind, type Box, DEFAULT_STYLE } from '../../annotations/types.js';
import { validAuthor } from '../../annotations/validate.js';
import { SlideError } from '../../errors.js';
import { ApiError } from '../http-error.js';
import type { ApiRequest } from '../request.js';
import type { Reply } from '../routes.js';
import type { AnnotationStore, Transaction } from './annotation-store.js';
import { asInvalidRequest, type CreateFields, createFields, IMPORT_BODY_LIMIT, jsonBody, readBody, type UpdateFields, updateFields } from './wire.js';

/** The fork's list cap, kept for compatibility: the whole count is in `X-Total-Count`. */
const LIST_CAP = 10_000;

const EXPORT_TYPES: Record<AnnotationFormat, { type: string; ext: string }> = {
  json: { type: 'application/json', ext: 'json' },
  geojson: { type: 'application/geo+json', ext: 'geojson' },
  xml: { type: 'application/xml', ext: 'xml' },
  aperio: { type: 'application/xml', ext: 'xml' },
};

/** Which annotation route a path is, with the methods it allows; undefined when it is no annotation route. */
export interface AnnotationRoute {
  allow: string;
  slideId?: string;
}

export function annotationRouteOf(segments: readonly string[]): AnnotationRoute | undefined {
  const [first, second, third, fourth, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (first === 'slides' && second && third === 'annotations') {
    if (fourth === undefined) return { allow: 'GET, HEAD, POST', slideId: second };
    if (fourth === 'export') return { allow: 'GET, HEAD', slideId: second };
    if (fourth === 'import') return { allow: 'POST', slideId: second };
    return { allow: 'PUT, DELETE', slideId: second };
  }
  if (first === 'annotations' && second !== undefined && third === undefined) return { allow: second === 'batch' ? 'POST' : 'GET, HEAD, PUT, DELETE' };
  return undefined;
}

const json = (value: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
  headers,
});
const wire = (r: { slideId: string; annotation: Annotation }) => toForkAnnotation(r.annotation, r.slideId);
const notFound = (id: string) => new ApiError('not_found', `No annotation ${JSON.stringify(id.slice(0, 200))}.`, { details: { id } });

/** A query number as the fork parses it (Rust's f64: also `inf` and `NaN`, refused afterwards as not finite). */
function floatParam(req: ApiRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$/i.test(v))
    throw new ApiError('invalid_request', `Failed to deserialize query string: ${name}: invalid float literal`);
  const n = /inf/i.test(v) ? (v.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(v) ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) throw new ApiError('invalid_request', `${name} must be a finite number`);
  return n;
}

function countParam(req: ApiRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new ApiError('invalid_request', `Failed to deserialize query string: ${name}: invalid digit found in string`);
  return Number(v);
}

function viewportOf(req: ApiRequest): Box | undefined {
  const [x, y, width, height] = ['x', 'y', 'width', 'height'].map((k) => floatParam(req, k));
  const given = [x, y, width, height].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 4) throw new ApiError('invalid_request', 'x, y, width and height must be provided together');
  if (width! <= 0) throw new ApiError('invalid_request', 'width must be greater than 0');
  if (height! <= 0) throw new ApiError('invalid_request', 'height must be greater than 0');
  return { x: x!, y: y!, width: width!, height: height! };
}

function kindParam(req: ApiRequest): AnnotationKind | undefined {
  const v = req.query.get('annotation_type');
  if (v === null) return undefined;
  if (!(ANNOTATION_KINDS as readonly string[]).includes(v)) {
    throw new ApiError(
      'invalid_request',
      `Failed to deserialize query string: annotation_type: unknown variant \`${v.slice(0, 40)}\`, expected one of ${ANNOTATION_KINDS.join(', ')}`,
    );
  }
  return v as AnnotationKind;
}

function formatParam(req: ApiRequest): AnnotationFormat {
  const v = req.query.get('format') ?? 'json';
  if (!Object.hasOwn(EXPORT_TYPES, v))
    throw new ApiError(
      'invalid_request',
      `Failed to deserialize query string: format: unknown variant \`${v.slice(0, 40)}\`, expected one of json, geojson, xml, aperio`,
    );
  return v as AnnotationFormat;
}

/** Stages a create; the id (given or fresh) must not exist on any slide. */
function stageCreate(tx: Transaction, store: AnnotationStore, slideId: string, f: CreateFields, now: number): Annotation {
  const id = f.id ?? store.newId();
  if (tx.get(id)) throw new ApiError('invalid_request', `annotation id already exists: ${id}`);
  const annotation: Annotation = {
    id,
    geometry: f.geometry,
    label: f.label,
    style: f.style ?? { ...DEFAULT_STYLE },
    author: f.author,
    created: now,
    updated: now,
    properties: f.properties,
  };
  tx.put({ slideId, annotation, seq: tx.nextSeq() });
  return annotation;
}

/** Stages an update of `id` (on `slideId` when the route names one: another slide's annotation is not found). */
function stageUpdate(tx: Transaction, id: string, f: UpdateFields, slideId: string | undefined, now: number) {
  const current = tx.get(id);
  if (!current || (slideId !== undefined && current.slideId !== slideId)) throw notFound(id);
  const author = f.author === undefined ? current.annotation.author : asInvalidRequest(() => validAuthor(f.author));
  const a = current.annotation;
  const annotation: Annotation = {
    ...a,
    geometry: f.geometry ?? a.geometry,
    style: f.style ?? a.style,
    label: f.label === undefined ? a.label : f.label,
    author,
    properties: f.properties ?? a.properties,
    updated: now,
  };
  const record = { ...current, annotation };
  tx.put(record);
  return record;
}

function stageDelete(tx: Transaction, id: string, slideId: string | undefined): void {
  const current = tx.get(id);
  if (!current || (slideId !== undefined && current.slideId !== slideId)) throw notFound(id);
  tx.delete(id);
}

/** Names the failing item of a batch, so the client knows which one to fix (nothing of the batch was applied). */
function atItem<T>(operation: string, index: number, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ApiError) throw new ApiError(e.code, `${operation}[${index}]: ${e.message}`, { details: { ...e.details, operation, index } });
    throw e;
  }
}

/**
 * The annotation fork's routes (ANNOTATIONS-API.md §3–7) with its §12 flaws fixed: slide-scoped routes check the
 * slide, batch and import are all-or-nothing and name the failing item, labels clear with null, every error is JSON.
 */
export async function annotationRoute(
  store: AnnotationStore,
  route: AnnotationRoute,
  req: IncomingMessage,
  request: ApiRequest,
  signal: AbortSignal,
): Promise<Reply> {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (!route.allow.split(', ').includes(method)) {
    throw new ApiError('method_not_allowed', `${method.slice(0, 20)} is not allowed here: use ${route.allow}.`, { allow: route.allow });
  }
  const now = Date.now();
  const [first, second, , fourth] = request.segments;
  if (first === 'annotations' && second === 'batch') {
    const body = (await jsonBody(req, signal)) as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ApiError('invalid_body', 'Failed to deserialize the JSON body into the target type: expected an object');
    const list = (k: string) => {
      const v = body[k] ?? [];
      if (!Array.isArray(v)) throw new ApiError('invalid_body', `Failed to deserialize the JSON body into the target type: ${k}: expected an array`);
      return v as unknown[];
    };
    const creates = list('create').map((c, i) => createFields(c, `create[${i}]`, true));
    const updates = list('update').map((u, i) => updateFields(u, `update[${i}]`, true));
    const deletes = list('delete').map((d, i) => {
      if (typeof d !== 'string')
        throw new ApiError('invalid_body', `Failed to deserialize the JSON body into the target type: delete[${i}]: expected a string`);
      return d;
    });
    const result = await store.transact((tx) => ({
      created: creates.map((c, i) => atItem('create', i, () => ({ slideId: c.slideId!, annotation: stageCreate(tx, store, c.slideId!, c, now) }))).map(wire),
      updated: updates.map((u, i) => atItem('update', i, () => wire(stageUpdate(tx, u.id!, u, undefined, now)))),
      deleted: deletes.map((id, i) =>
        atItem('delete', i, () => {
          stageDelete(tx, id, undefined);
          return id;
        }),
      ),
    }));
    return json(result);
  }
  if (first === 'annotations') {
    const id = second!;
    if (method === 'GET') {
      const r = store.get(id);
      if (!r) throw notFound(id);
      return json(wire(r));
    }
    return method === 'PUT' ? update(id, undefined) : remove(id, undefined);
  }
  const slideId = route.slideId!;
  if (fourth === undefined && method === 'GET') {
    const bbox = viewportOf(request);
    const kind = kindParam(request);
    const limit = countParam(request, 'limit');
    const offset = countParam(request, 'offset') ?? 0;
    const all = store.list(slideId, { ...(bbox ? { bbox } : {}), ...(kind ? { kind } : {}) });
    const page = all.slice(offset, offset + Math.min(limit ?? all.length, LIST_CAP));
    return json(page.map(wire), 200, { 'X-Total-Count': String(all.length) });
  }
  if (fourth === undefined) {
    const fields = createFields(await jsonBody(req, signal), '', false);
    const annotation = await store.transact((tx) => stageCreate(tx, store, slideId, fields, now));
    return json(wire({ slideId, annotation }), 201);
  }
  if (fourth === 'export') {
    const format = formatParam(request);
    const annotations = store.list(slideId).map((r) => r.annotation);
    const { type, ext } = EXPORT_TYPES[format];
    const name = `${slideId.replace(/[^\w.-]+/g, '_').slice(0, 100)}.annotations.${ext}`;
    return {
      type,
      body: exportAnnotations(annotations, format, { slideId }),
      headers: { 'Content-Disposition': `attachment; filename="${name}"` },
    };
  }
  if (fourth === 'import') return importInto(slideId);
  return method === 'PUT' ? update(fourth, slideId) : remove(fourth, slideId);

  async function update(id: string, scope: string | undefined): Promise<Reply> {
    const fields = updateFields(await jsonBody(req, signal), '', false);
    return json(wire(await store.transact((tx) => stageUpdate(tx, id, fields, scope, now))));
  }

  async function remove(id: string, scope: string | undefined): Promise<Reply> {
    await store.transact((tx) => stageDelete(tx, id, scope));
    return { status: 204, type: 'application/json', body: '' };
  }

  async function importInto(slide: string): Promise<Reply> {
    const format = formatParam(request);
    const author = request.query.get('author_id') ?? 'import';
    const text = (await readBody(req, IMPORT_BODY_LIMIT, signal)).toString('utf8');
    let read: ReturnType<typeof importAnnotations>;
    try {
      read = importAnnotations(text, format, { slideId: slide, author, now });
    } catch (e) {
      if (SlideError.is(e)) throw new ApiError('invalid_request', e.message);
      throw e;
    }
    const refused = read.problems.filter((p) => !p.kept);
    if (refused.length) {
      const unsupported = refused.some((p) => p.message.startsWith('unsupported'));
      throw new ApiError(unsupported ? 'unsupported_format' : 'invalid_request', `item ${refused[0]!.index}: ${refused[0]!.message}; nothing was imported`, {
        details: { problems: read.problems },
      });
    }
    const created = await store.transact((tx) =>
      read.annotations.map((a, i) =>
        atItem('import', i, () => {
          if (tx.get(a.id)) throw new ApiError('invalid_request', `annotation id already exists: ${a.id}`);
          tx.put({ slideId: slide, annotation: a, seq: tx.nextSeq() });
          return wire({ slideId: slide, annotation: a });
        }),
      ),
    );
    return json(created, 201);
  }
}
