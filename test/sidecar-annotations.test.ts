import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnnotationStore } from '../src/sidecar/annotations/annotation-store.js';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { signUrl, viewerToken } from '../src/sidecar/signature.js';
import { promisify } from 'node:util';
import { FIXTURES, REPO_ROOT } from './support/fixtures.js';
import { startSidecar } from './support/sidecar.js';

const SAMPLE = {
  geometry: { kind: 'rectangle', x: 10, y: 20, width: 100, height: 50 },
  style: { color: '#ff3366', opacity: 0.6 },
  label: 'api create test',
  author_id: 'tester',
};

async function sidecar(options: { annotations?: AnnotationStore; authSecret?: string } = {}) {
  return (await startSidecar({ store: new FolderStore(FIXTURES), ...options })).url;
}

async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: the tests read any field of the JSON answers.
): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: response.headers };
}

describe('annotation routes, auth off', () => {
  it('creates, reads, lists by viewport, updates (kind may change), deletes', async () => {
    const base = await sidecar();
    const created = await call(`${base}/slides/test.tif/annotations`, 'POST', SAMPLE);
    expect(created.status).toBe(201);
    const a = created.body;
    expect(Object.keys(a)).toEqual(['id', 'slide_id', 'annotation_type', 'geometry', 'bbox', 'style', 'label', 'created_at', 'updated_at', 'author_id']);
    expect(a).toMatchObject({ slide_id: 'test.tif', annotation_type: 'rectangle', bbox: { x: 10, y: 20, width: 100, height: 50 }, label: 'api create test' });
    expect(a.id).toMatch(/^ann-\d{13}-[0-9a-f]{10}$/);
    expect(Number.isInteger(a.created_at) && Math.abs(a.created_at - Date.now() / 1000) < 60).toBe(true);
    expect((await call(`${base}/annotations/${a.id}`, 'GET')).body).toEqual(a);
    const hit = await call(`${base}/slides/test.tif/annotations?x=0&y=0&width=20&height=30`, 'GET');
    expect(hit.body.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect(hit.headers.get('x-total-count')).toBe('1');
    expect((await call(`${base}/slides/test.tif/annotations?x=500&y=500&width=20&height=30`, 'GET')).body).toEqual([]);
    expect((await call(`${base}/slides/other.tif/annotations`, 'GET')).body).toEqual([]);
    const updated = await call(`${base}/annotations/${a.id}`, 'PUT', {
      geometry: { kind: 'point', point: { x: 1234, y: 2345 } },
      style: { color: '#00aa88', opacity: 0.8 },
      label: 'api update test',
      author_id: 'tester-updated',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: a.id,
      annotation_type: 'point',
      bbox: { x: 1234, y: 2345, width: 0, height: 0 },
      created_at: a.created_at,
      author_id: 'tester-updated',
    });
    const removed = await call(`${base}/annotations/${a.id}`, 'DELETE');
    expect(removed.status).toBe(204);
    expect(removed.body).toBe('');
    const gone = await call(`${base}/annotations/${a.id}`, 'GET');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: 'not_found', status: 404, id: a.id });
  });

  it('lists in creation order, filtered by type, paged with offset and limit', async () => {
    const base = await sidecar();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const geometry = i % 2 ? { kind: 'point', point: { x: i, y: i } } : { kind: 'line', start: { x: 0, y: 0 }, end: { x: i, y: 1 } };
      ids.push((await call(`${base}/slides/s/annotations`, 'POST', { geometry, author_id: 'a' })).body.id);
    }
    const list = (q: string) => call(`${base}/slides/s/annotations${q}`, 'GET').then((r) => r.body.map((x: { id: string }) => x.id));
    // Same-second creations keep their order (the fork sorted them by id as strings: …-10 before …-9).
    expect(await list('')).toEqual(ids);
    expect(await list('?annotation_type=point')).toEqual(ids.filter((_, i) => i % 2));
    expect(await list('?offset=3&limit=4')).toEqual(ids.slice(3, 7));
    expect(await list('?limit=0')).toEqual([]);
    expect(await list('?offset=99')).toEqual([]);
  });

  it('answers every validation error in the JSON error shape with the fork status', async () => {
    const base = await sidecar();
    const post = (body: unknown, headers?: Record<string, string>) => call(`${base}/slides/s/annotations`, 'POST', body, headers);
    const cases: Array<[Promise<{ status: number; body: { error: string; message: string } }>, number, string, string]> = [
      [post({ geometry: { kind: 'polygon', points: [{ x: 0, y: 0 }] }, author_id: 'a' }), 400, 'invalid_request', 'polygon requires at least 3 points'],
      [post({ ...SAMPLE, style: { color: '#zzzzzz', opacity: 1 } }), 400, 'invalid_request', 'color must be a #RRGGBB or #RRGGBBAA hex value'],
      [post({ ...SAMPLE, style: { color: '#ffffff', opacity: 2 } }), 400, 'invalid_request', 'opacity must be between 0 and 1'],
      [post({ ...SAMPLE, author_id: '   ' }), 400, 'invalid_request', 'author_id is required'],
      // JSON carries no Infinity, but 1e400 parses to it.
      [
        post(JSON.stringify({ ...SAMPLE, geometry: { kind: 'rectangle', x: 0, y: 0, width: 1, height: 1 } }).replace('"x":0', '"x":1e400')),
        400,
        'invalid_request',
        'x must be a finite number',
      ],
      [post({ geometry: SAMPLE.geometry }), 422, 'invalid_body', 'missing field `author_id`'],
      [post({ ...SAMPLE, geometry: { kind: 'hexagon' } }), 422, 'invalid_body', 'geometry.kind: unknown variant'],
      [post({ ...SAMPLE, geometry: { kind: 'rectangle', x: '1', y: 0, width: 1, height: 1 } }), 422, 'invalid_body', 'geometry.x: expected a number'],
      [post({ ...SAMPLE, style: { color: '#ffffff' } }), 422, 'invalid_body', 'missing field `opacity`'],
      [post('{"geometry":', {}), 400, 'invalid_json', 'Failed to parse the request body as JSON'],
      [post(JSON.stringify(SAMPLE), { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type', 'Content-Type: application/json'],
      [post({ ...SAMPLE, label: 'x'.repeat(3 * 1024 * 1024) }), 413, 'payload_too_large', 'larger than'],
      [call(`${base}/slides/s/annotations?x=1&y=2`, 'GET'), 400, 'invalid_request', 'x, y, width and height must be provided together'],
      [call(`${base}/slides/s/annotations?x=0&y=0&width=0&height=1`, 'GET'), 400, 'invalid_request', 'width must be greater than 0'],
      [call(`${base}/slides/s/annotations?x=0&y=0&width=inf&height=1`, 'GET'), 400, 'invalid_request', 'width must be a finite number'],
      [call(`${base}/slides/s/annotations?x=abc&y=0&width=1&height=1`, 'GET'), 400, 'invalid_request', 'Failed to deserialize query string'],
      [call(`${base}/slides/s/annotations?limit=-1`, 'GET'), 400, 'invalid_request', 'Failed to deserialize query string'],
      [call(`${base}/slides/s/annotations?annotation_type=foo`, 'GET'), 400, 'invalid_request', 'unknown variant `foo`'],
      [call(`${base}/slides/s/annotations/export?format=JSON`, 'GET'), 400, 'invalid_request', 'unknown variant `JSON`'],
      [call(`${base}/annotations/nope`, 'GET'), 404, 'not_found', 'nope'],
      [call(`${base}/annotations/nope`, 'PUT', { label: 'x' }), 404, 'not_found', 'nope'],
      [call(`${base}/annotations/nope`, 'DELETE'), 404, 'not_found', 'nope'],
    ];
    for (const [request, status, error, message] of cases) {
      const r = await request;
      expect({ status: r.status, error: r.body.error }, message).toEqual({ status, error });
      expect(r.body.message).toContain(message);
    }
    const wrongMethod = await call(`${base}/slides/s/annotations/export`, 'DELETE');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect((await call(`${base}/annotations/batch`, 'GET')).status).toBe(405);
    expect((await call(`${base}/slides/s/annotations`, 'GET')).body).toEqual([]);
  });

  it('ids: client ids kept, duplicates refused on any slide, reserved and malformed ones refused', async () => {
    const base = await sidecar();
    expect((await call(`${base}/slides/a/annotations`, 'POST', { ...SAMPLE, id: 'case-7.roi:1' })).status).toBe(201);
    const again = await call(`${base}/slides/b/annotations`, 'POST', { ...SAMPLE, id: 'case-7.roi:1' });
    expect(again.status).toBe(400);
    expect(again.body.message).toBe('annotation id already exists: case-7.roi:1');
    for (const id of ['', 'export', 'a/b', 'x'.repeat(200)])
      expect((await call(`${base}/slides/a/annotations`, 'POST', { ...SAMPLE, id })).status, id).toBe(400);
  });

  it('a label is cleared with null and kept when absent; the slide of a slide-scoped route is checked', async () => {
    const base = await sidecar();
    const a = (await call(`${base}/slides/a/annotations`, 'POST', SAMPLE)).body;
    expect((await call(`${base}/annotations/${a.id}`, 'PUT', { author_id: 'b' })).body.label).toBe('api create test');
    expect((await call(`${base}/annotations/${a.id}`, 'PUT', { label: null })).body.label).toBeNull();
    expect((await call(`${base}/slides/other/annotations/${a.id}`, 'PUT', { label: 'x' })).status).toBe(404);
    expect((await call(`${base}/slides/other/annotations/${a.id}`, 'DELETE')).status).toBe(404);
    expect((await call(`${base}/slides/a/annotations/${a.id}`, 'PUT', { label: 'x' })).body.label).toBe('x');
    // A blank author is refused and the annotation stays listed (the fork dropped it from the list).
    expect((await call(`${base}/annotations/${a.id}`, 'PUT', { author_id: ' ' })).status).toBe(400);
    expect((await call(`${base}/slides/a/annotations`, 'GET')).body.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect((await call(`${base}/slides/a/annotations/${a.id}`, 'DELETE')).status).toBe(204);
  });

  it('batch: creates, then updates, then deletes, all or nothing, naming the failing item', async () => {
    const base = await sidecar();
    const ok = await call(`${base}/annotations/batch`, 'POST', {
      create: [
        { ...SAMPLE, slide_id: 'a', id: 'one' },
        { ...SAMPLE, slide_id: 'b', id: 'two' },
      ],
      update: [{ id: 'one', label: 'renamed' }],
      delete: ['two'],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.created.map((x: { id: string }) => x.id)).toEqual(['one', 'two']);
    expect(ok.body.updated[0]).toMatchObject({ id: 'one', label: 'renamed' });
    expect(ok.body.deleted).toEqual(['two']);
    const bad = await call(`${base}/annotations/batch`, 'POST', {
      create: [{ ...SAMPLE, slide_id: 'a', id: 'three' }],
      delete: ['one', 'one'],
    });
    expect(bad.status).toBe(404);
    expect(bad.body).toMatchObject({ error: 'not_found', operation: 'delete', index: 1 });
    // Nothing of the failed batch was applied: "three" was not created, "one" not deleted.
    expect((await call(`${base}/slides/a/annotations`, 'GET')).body.map((x: { id: string }) => x.id)).toEqual(['one']);
    const shape = await call(`${base}/annotations/batch`, 'POST', { create: [{ ...SAMPLE }] });
    expect(shape).toMatchObject({ status: 422, body: { error: 'invalid_body', message: expect.stringContaining('create[0]') } });
  });

  it('exports json, geojson, the fork xml and ImageScope xml, with types and a file name; imports back all or nothing', async () => {
    const base = await sidecar();
    await call(`${base}/annotations/batch`, 'POST', {
      create: [
        { slide_id: 's', id: 'ann-1', geometry: { kind: 'rectangle', x: 10, y: 20, width: 100, height: 50 }, label: 'tumor', author_id: 'p' },
        {
          slide_id: 's',
          id: 'ann-2',
          geometry: { kind: 'circle', center: { x: 5, y: 5 }, radius: 3 },
          author_id: 'p',
          style: { color: '#00ff00', opacity: 0.5, point_radius: 4 },
        },
      ],
    });
    const exported = async (format: string) => {
      const r = await fetch(`${base}/slides/s/annotations/export?format=${format}`);
      return { type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), text: await r.text() };
    };
    const json = await exported('json');
    expect(json.type).toBe('application/json');
    expect(json.disposition).toBe('attachment; filename="s.annotations.json"');
    expect(JSON.parse(json.text).map((a: { id: string }) => a.id)).toEqual(['ann-1', 'ann-2']);
    expect((await exported('geojson')).type).toBe('application/geo+json');
    const xml = await exported('xml');
    expect(xml.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Annotations><Annotation Id="ann-1" Name="tumor" Type="Rectangle" PartOfGroup="None" Color="#ff3366">/,
    );
    expect((await exported('aperio')).text).toContain('<Region Id="1" Type="1"');

    for (const format of ['json', 'geojson', 'aperio']) {
      const other = await sidecar();
      const text = (await exported(format)).text;
      const imported = await call(`${other}/slides/s/annotations/import?format=${format}&author_id=importer`, 'POST', text, { 'Content-Type': 'text/plain' });
      expect(imported.status, format).toBe(201);
      expect(imported.body.map((a: { id: string; geometry: unknown }) => [a.id, a.geometry])).toEqual(
        JSON.parse(json.text).map((a: { id: string; geometry: unknown }) => [a.id, a.geometry]),
      );
      // Imported twice: the ids exist, so nothing of the second import is added.
      const twice = await call(`${other}/slides/s/annotations/import?format=${format}`, 'POST', text);
      expect(twice).toMatchObject({ status: 400, body: { message: expect.stringContaining('annotation id already exists: ann-1') } });
      expect((await call(`${other}/slides/s/annotations`, 'GET')).body).toHaveLength(2);
    }
    const other = await sidecar();
    const mixed = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: {} },
        { type: 'Feature', geometry: { type: 'GeometryCollection', geometries: [] }, properties: {} },
      ],
    });
    const refused = await call(`${other}/slides/s/annotations/import?format=geojson`, 'POST', mixed);
    expect(refused).toMatchObject({ status: 415, body: { error: 'unsupported_format', problems: [{ index: 1, kept: false }] } });
    expect((await call(`${other}/slides/s/annotations`, 'GET')).body).toEqual([]);
    const notJson = await call(`${other}/slides/s/annotations/import?format=json`, 'POST', '{oops');
    expect(notJson).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});

describe('annotation routes, auth on', () => {
  const SECRET = 'annotation-secret';

  it('a read URL cannot write: writes sign the method; a viewer token writes only its own slide', async () => {
    const base = await sidecar({ authSecret: SECRET });
    const path = '/slides/s.svs/annotations';
    expect((await call(`${base}${path}`, 'GET')).body.error).toBe('missing_expiry');
    const read = signUrl(SECRET, path, 60).url;
    expect((await call(`${base}${read}`, 'GET')).status).toBe(200);
    const readUsedToWrite = await call(`${base}${read}`, 'POST', SAMPLE);
    expect(readUsedToWrite).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    const write = signUrl(SECRET, path, 60, {}, undefined, 'POST').url;
    const created = await call(`${base}${write}`, 'POST', SAMPLE);
    expect(created.status).toBe(201);
    // The write URL does not read, update or delete.
    expect((await call(`${base}${write}`, 'GET')).status).toBe(401);
    const byId = `/annotations/${created.body.id}`;
    expect((await call(`${base}${signUrl(SECRET, byId, 60).url}`, 'DELETE')).status).toBe(401);
    expect((await call(`${base}${signUrl(SECRET, byId, 60, {}, undefined, 'DELETE').url}`, 'DELETE')).status).toBe(204);
    // Signed list filters: the viewport is part of the signature.
    const filtered = signUrl(SECRET, path, 60, { x: '0', y: '0', width: '20', height: '30' }).url;
    expect((await call(`${base}${filtered}`, 'GET')).status).toBe(200);
    expect((await call(`${base}${filtered.replace('width=20', 'width=2000')}`, 'GET')).status).toBe(401);

    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = (slide: string) => `vt=${viewerToken(SECRET, slide, exp)}&exp=${exp}`;
    const mine = await call(`${base}${path}?${token('s.svs')}`, 'POST', SAMPLE);
    expect(mine.status).toBe(201);
    const theirs = await call(`${base}/slides/t.svs/annotations?${token('t.svs')}`, 'POST', SAMPLE);
    // A token for t.svs cannot touch s.svs's annotation through its own slide's route, nor by id.
    expect((await call(`${base}/slides/t.svs/annotations/${mine.body.id}?${token('t.svs')}`, 'DELETE')).status).toBe(404);
    expect((await call(`${base}/annotations/${theirs.body.id}?${token('t.svs')}`, 'DELETE')).body.error).toBe('missing_signature');
    expect((await call(`${base}${path}?${token('t.svs')}`, 'POST', SAMPLE)).body.error).toBe('invalid_signature');
  });

  it('`wsi-stream sign --method POST` makes a URL that creates, and only creates', async () => {
    const base = await sidecar({ authSecret: SECRET });
    const sign = (method: string) =>
      promisify(execFile)(process.execPath, [
        join(REPO_ROOT, 'bin/wsi-stream.js'),
        'sign',
        '--path',
        '/slides/s.svs/annotations',
        '--secret',
        SECRET,
        '--method',
        method,
        '--base-url',
        base,
      ]);
    const post = (await sign('POST')).stdout.trim();
    expect((await call(post, 'POST', SAMPLE)).status).toBe(201);
    expect((await call(post, 'GET')).status).toBe(401);
    const get = (await sign('GET')).stdout.trim();
    expect((await call(get, 'GET')).body).toHaveLength(1);
    await expect(sign('PATCH')).rejects.toMatchObject({ stderr: expect.stringContaining('--method is GET, HEAD, POST, PUT or DELETE') });
  });
});

describe('annotation file store', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'wsi-annotations-'));

  it('survives a restart with times, order and labels; writes the fork layout', async () => {
    const file = join(dir(), 'nested', 'annotations.json');
    const first = await sidecar({ annotations: await AnnotationStore.open(file) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call(`${first}/slides/s/annotations`, 'POST', { ...SAMPLE, label: `n${i}` })).body.id);
    await call(`${first}/annotations/${ids[1]}`, 'PUT', { label: null });
    const before = (await call(`${first}/slides/s/annotations`, 'GET')).body;
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(doc)).toEqual(['annotations', 'slide_index', 'spatial_index']);
    expect(doc.slide_index.s).toEqual(ids);
    const second = await sidecar({ annotations: await AnnotationStore.open(file) });
    expect((await call(`${second}/slides/s/annotations`, 'GET')).body).toEqual(before);
  });

  it('a corrupt file stops the start with a clear error and is left as it was', async () => {
    const file = join(dir(), 'annotations.json');
    for (const text of ['{"annotations": {"a": {"geometry": 1}}', '{"annotations": {"a": {"slide_id": "s", "geometry": {"kind": "point"}}}}', '[1, 2]']) {
      writeFileSync(file, text);
      await expect(AnnotationStore.open(file)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('left as it is') });
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('a save that fails changes nothing and says so (500 storage_error)', async () => {
    const parent = join(dir(), 'later');
    const base = await sidecar({ annotations: await AnnotationStore.open(join(parent, 'annotations.json')) });
    // Its folder becomes a file after the start: the save cannot create it.
    writeFileSync(parent, 'not a folder');
    const r = await call(`${base}/slides/s/annotations`, 'POST', SAMPLE);
    expect(r).toMatchObject({ status: 500, body: { error: 'storage_error', message: expect.stringContaining('nothing was changed') } });
    expect((await call(`${base}/slides/s/annotations`, 'GET')).body).toEqual([]);
  });
});
