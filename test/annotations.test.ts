import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Annotation, type AnnotationInput, AnnotationSet, exportAnnotations, formatMeasurement, importAnnotations, measure } from '../src/annotations.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/annotations');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');
const MPP = { x: 0.5, y: 0.25 };

/** One shape of every kind, with the properties the formats must carry. */
function everyKind(): AnnotationInput[] {
  return [
    { id: 'p1', geometry: { kind: 'point', point: { x: 5.5, y: 6.25 } }, style: { color: '#112233', opacity: 1, pointRadius: 8 }, label: 'nucleus' },
    {
      id: 'r1',
      geometry: { kind: 'rectangle', x: 10, y: 20, width: 100, height: 50 },
      label: 'tumor',
      properties: { classification: { name: 'Tumor', color: '#c80000' } },
    },
    {
      id: 'g1',
      geometry: {
        kind: 'polygon',
        points: [
          { x: 0, y: 0 },
          { x: 40, y: 0 },
          { x: 40, y: 30 },
        ],
      },
      style: { color: '#00aa88cc', opacity: 0.3 },
      properties: { freehand: true },
    },
    { id: 'c1', geometry: { kind: 'circle', center: { x: 500, y: 500 }, radius: 25.5 }, label: '' },
    {
      id: 'e1',
      geometry: { kind: 'ellipse', center: { x: 50, y: 50 }, radius_x: 20, radius_y: 10 },
      properties: { classification: { name: 'Stroma' }, score: 3 },
    },
    { id: 'l1', geometry: { kind: 'line', start: { x: 0, y: 0 }, end: { x: 30, y: 40 } }, author: 'second reader' },
    {
      id: 'y1',
      geometry: {
        kind: 'polyline',
        points: [
          { x: 0, y: 0 },
          { x: 3, y: 4 },
          { x: 3, y: 10 },
        ],
      },
    },
  ];
}

function setOf(inputs: AnnotationInput[]): AnnotationSet {
  let t = 1_700_000_000_000;
  const set = new AnnotationSet({ author: 'pathologist', mpp: MPP, now: () => (t += 1000) });
  set.addMany(inputs);
  return set;
}

/** Imports a file into a fresh set (as the viewer does) and exports it again. */
function reexport(text: string, format: 'geojson' | 'aperio' | 'json'): string {
  const read = importAnnotations(text, format, { mpp: MPP, slideId: 's' });
  expect(read.problems).toEqual([]);
  const set = new AnnotationSet({ mpp: MPP });
  set.addMany(read.annotations, 'import');
  return exportAnnotations(set.list(), format, { mpp: MPP, slideId: 's' });
}

describe('annotation model', () => {
  it('adds shapes with ids, times, author, default style and measurements, and lists them by box and kind', () => {
    const set = setOf(everyKind());
    expect(set.size).toBe(7);
    const r = set.get('r1')!;
    expect(r).toMatchObject({ author: 'pathologist', style: { color: '#ff3366', opacity: 0.55 }, label: 'tumor' });
    expect(r.created).toBe(r.updated);
    // 100 × 50 px at 0.5 × 0.25 µm: 50 × 12.5 µm.
    expect(r.properties.measurements).toEqual({ unit: 'µm', area: 625, perimeter: 125 });
    expect(set.list({ bbox: { x: 480, y: 480, width: 5, height: 5 } }).map((a) => a.id)).toEqual(['c1']);
    // Closed boxes: touching counts, as in the fork.
    expect(set.list({ bbox: { x: 110, y: 70, width: 1, height: 1 } }).map((a) => a.id)).toContain('r1');
    expect(set.list({ kind: 'line' }).map((a) => a.id)).toEqual(['l1']);
    expect(set.list().map((a) => a.id)).toEqual(['p1', 'r1', 'g1', 'c1', 'e1', 'l1', 'y1']);
  });

  it('measures in µm (x and y scaled apart), in pixels without MPP, and formats for reading', () => {
    expect(measure({ kind: 'line', start: { x: 0, y: 0 }, end: { x: 30, y: 40 } })).toEqual({ unit: 'px', length: 50 });
    expect(measure({ kind: 'line', start: { x: 0, y: 0 }, end: { x: 6, y: 16 } }, MPP)).toEqual({ unit: 'µm', length: 5 });
    const c = measure({ kind: 'circle', center: { x: 0, y: 0 }, radius: 10 }, { x: 1, y: 1 });
    expect(c.area).toBeCloseTo(Math.PI * 100, 9);
    expect(c.perimeter).toBeCloseTo(2 * Math.PI * 10, 9);
    const polygon = measure({
      kind: 'polygon',
      points: [
        { x: 0, y: 0 },
        { x: 4, y: 0 },
        { x: 4, y: 3 },
      ],
    });
    expect(polygon).toEqual({ unit: 'px', area: 6, perimeter: 12 });
    expect(formatMeasurement({ unit: 'µm', area: 2_500_000, perimeter: 6000 })).toBe('2.500 mm² · perimeter 6.00 mm');
    expect(formatMeasurement({ unit: 'µm', length: 12.34 })).toBe('12.3 µm');
  });

  it('updates (label null clears it, measurements follow the geometry), removes, and undoes and redoes each step', () => {
    const set = setOf(everyKind());
    const events: string[] = [];
    set.on('annotation-added', (e) => events.push(`added ${e.annotations.map((a) => a.id)} ${e.origin}`));
    set.on('annotation-changed', (e) => events.push(`changed ${e.annotations.map((a) => a.id)} ${e.origin}`));
    set.on('annotation-removed', (e) => events.push(`removed ${e.annotations.map((a) => a.id)} ${e.origin}`));
    const updated = set.update('r1', { label: null, geometry: { kind: 'rectangle', x: 0, y: 0, width: 10, height: 10 } });
    expect(updated.label).toBeNull();
    expect(updated.properties.measurements).toEqual({ unit: 'µm', area: 12.5, perimeter: 15 });
    expect(set.list({ bbox: { x: 100, y: 60, width: 1, height: 1 } }).map((a) => a.id)).not.toContain('r1');
    set.remove('c1');
    expect(set.get('c1')).toBeUndefined();
    expect(set.undo()).toBe(true);
    expect(set.get('c1')?.geometry).toEqual({ kind: 'circle', center: { x: 500, y: 500 }, radius: 25.5 });
    expect(set.undo()).toBe(true);
    expect(set.get('r1')?.label).toBe('tumor');
    expect(set.list({ bbox: { x: 100, y: 60, width: 1, height: 1 } }).map((a) => a.id)).toContain('r1');
    expect(set.redo()).toBe(true);
    expect(set.get('r1')?.label).toBeNull();
    expect(events).toEqual(['changed r1 user', 'removed c1 user', 'added c1 undo', 'changed r1 undo', 'changed r1 redo']);
    // A new change drops the redo branch.
    set.add({ geometry: { kind: 'point', point: { x: 1, y: 1 } } });
    expect(set.canRedo).toBe(false);
  });

  it('hit-tests the top-most shape: inside closed shapes, near lines and points', () => {
    const set = setOf(everyKind());
    expect(set.hit({ x: 100, y: 30 }, 1)?.id).toBe('r1');
    // The ellipse (added later) lies over the rectangle here.
    expect(set.hit({ x: 50, y: 50 }, 1)?.id).toBe('e1');
    expect(set.hit({ x: 12, y: 16.3 }, 1)?.id).toBe('l1');
    // Inside the rectangle and near the line: the shape under the pointer wins.
    expect(set.hit({ x: 15, y: 20.5 }, 1)?.id).toBe('r1');
    expect(set.hit({ x: 5, y: 25 }, 1)).toBeUndefined();
    // A point answers within its marker's radius.
    expect(set.hit({ x: 5.5, y: 13 }, 1)?.id).toBe('p1');
  });

  it('refuses bad shapes with the fork messages, and a batch with one bad shape adds none', () => {
    const set = setOf([]);
    const bad: Array<[AnnotationInput, string]> = [
      [{ geometry: { kind: 'polygon', points: [{ x: 0, y: 0 }] } }, 'polygon requires at least 3 points'],
      [{ geometry: { kind: 'polyline', points: [{ x: 0, y: 0 }] } }, 'polyline requires at least 2 points'],
      [{ geometry: { kind: 'rectangle', x: 0, y: 0, width: 0, height: 5 } }, 'width must be greater than 0'],
      [{ geometry: { kind: 'circle', center: { x: 0, y: 0 }, radius: -1 } }, 'radius must be greater than 0'],
      [{ geometry: { kind: 'point', point: { x: Number.POSITIVE_INFINITY, y: 0 } } }, 'x must be a finite number'],
      [{ geometry: { kind: 'point', point: { x: 0, y: 0 } }, style: { color: '#zzzzzz', opacity: 1 } }, 'color must be a #RRGGBB or #RRGGBBAA hex value'],
      [{ geometry: { kind: 'point', point: { x: 0, y: 0 } }, style: { color: '#ffffff', opacity: 1.5 } }, 'opacity must be between 0 and 1'],
      [{ geometry: { kind: 'point', point: { x: 0, y: 0 } }, author: '  ' }, 'author_id is required'],
      [{ geometry: { kind: 'point', point: { x: 0, y: 0 } }, id: 'export' }, 'not "export"'],
    ];
    for (const [input, message] of bad) {
      expect(() => set.add(input), message).toThrow(expect.objectContaining({ code: 'invalid_annotation', message: expect.stringContaining(message) }));
    }
    expect(() => set.addMany([{ id: 'ok', geometry: { kind: 'point', point: { x: 0, y: 0 } } }, bad[0]![0]])).toThrow();
    expect(set.size).toBe(0);
    set.add({ id: 'a', geometry: { kind: 'point', point: { x: 0, y: 0 } } });
    expect(() => set.add({ id: 'a', geometry: { kind: 'point', point: { x: 0, y: 0 } } })).toThrow('annotation id already exists: a');
  });
});

describe('GeoJSON (QuPath)', () => {
  it('reads a QuPath export: names, classifications, multi-geometries by part, holes and bad features reported', () => {
    const { annotations, problems } = importAnnotations(fixture('qupath-0.4.geojson'), 'geojson', { now: 1 });
    const byId = new Map(annotations.map((a) => [a.id, a]));
    expect(byId.get('5e7c1f2a-93c8-4a55-b2a1-0c3e1d2f4a10')).toMatchObject({
      label: 'Region 1',
      geometry: {
        kind: 'polygon',
        points: [
          { x: 1000, y: 1000 },
          { x: 1400, y: 1000 },
          { x: 1400, y: 1300 },
          { x: 1000, y: 1300 },
        ],
      },
      style: { color: '#c80000' },
      properties: { classification: { name: 'Tumor', color: '#c80000' } },
    });
    expect(byId.get('8b1d6e0c-2a4f-4f0e-9c77-3d5b8a9e2f01')?.geometry).toMatchObject({ kind: 'polygon', points: { length: 4 } });
    expect(byId.get('c0a80101-0000-4000-8000-000000000003')?.geometry).toEqual({ kind: 'line', start: { x: 100, y: 100 }, end: { x: 400, y: 500 } });
    const cells = annotations.filter((a) => a.id.startsWith('c0a80101-0000-4000-8000-000000000004-'));
    expect(cells.map((a) => a.geometry)).toEqual([10, 30, 50].map((x) => ({ kind: 'point', point: { x, y: x + 10 } })));
    expect(cells[0]?.properties.classification).toEqual({ name: 'Immune cells', color: '#9900cc' });
    expect(annotations.filter((a) => a.id.startsWith('c0a80101-0000-4000-8000-000000000005-'))).toHaveLength(2);
    expect(problems).toEqual([
      { index: 1, id: '8b1d6e0c-2a4f-4f0e-9c77-3d5b8a9e2f01', message: 'polygon holes are not kept', kept: true },
      { index: 5, id: 'c0a80101-0000-4000-8000-000000000006', message: 'unsupported GeoJSON geometry: GeometryCollection', kept: false },
      { index: 6, id: 'c0a80101-0000-4000-8000-000000000007', message: 'polygon requires at least 3 points', kept: false },
    ]);
  });

  it('writes QuPath conventions (objectType, classification colour as RGB, circles as polygons with their kind kept) and reads its own files back equal', () => {
    const set = setOf(everyKind());
    const text = exportAnnotations(set.list(), 'geojson');
    const doc = JSON.parse(text);
    const circle = doc.features.find((f: { id: string }) => f.id === 'c1');
    expect(circle.geometry.type).toBe('Polygon');
    expect(circle.geometry.coordinates[0]).toHaveLength(65);
    expect(circle.properties.wsiStream.geometry).toEqual({ kind: 'circle', center: { x: 500, y: 500 }, radius: 25.5 });
    const rect = doc.features.find((f: { id: string }) => f.id === 'r1');
    expect(rect.properties).toMatchObject({ objectType: 'annotation', name: 'tumor', classification: { name: 'Tumor', color: [200, 0, 0] } });
    expect(rect.properties.measurements).toEqual({ 'Area µm^2': 625, 'Perimeter µm': 125 });
    expect(reexport(text, 'geojson')).toBe(text);
  });
});

describe('Aperio ImageScope XML', () => {
  it('reads ImageScope layers: layer name as class, LineColor as a COLORREF, region types, negative regions; bad regions reported', () => {
    const { annotations, problems } = importAnnotations(fixture('imagescope.xml'), undefined, { now: 1 });
    expect(annotations.map((a) => a.geometry)).toEqual([
      {
        kind: 'polygon',
        points: [
          { x: 1000, y: 1000 },
          { x: 1400, y: 1000 },
          { x: 1400, y: 1200 },
          { x: 1000, y: 1200 },
        ],
      },
      { kind: 'rectangle', x: 2000, y: 2000, width: 300, height: 200 },
      { kind: 'ellipse', center: { x: 600.5, y: 650 }, radius_x: 100, radius_y: 50 },
      { kind: 'line', start: { x: 0, y: 0 }, end: { x: 300, y: 400 } },
    ]);
    expect(annotations[0]).toMatchObject({
      label: 'invasive front',
      style: { color: '#ff0000' },
      properties: { classification: { name: 'Tumor', color: '#ff0000' } },
    });
    expect(annotations[1]?.label).toBeNull();
    expect(annotations[2]).toMatchObject({ label: 'ellipse', style: { color: '#00ff00' }, properties: { negative: true } });
    expect(annotations[2]?.properties.classification).toBeUndefined();
    expect(problems).toEqual([{ index: 4, message: 'a Vertex needs numeric X and Y', kept: false }]);
  });

  it('writes ImageScope XML (MicronsPerPixel, COLORREF, region types, µm measurements) and reads its own files back equal', () => {
    const set = setOf(everyKind());
    const text = exportAnnotations(set.list(), 'aperio', { mpp: MPP });
    expect(text).toContain('<Annotations MicronsPerPixel="0.5">');
    expect(text).toContain('Name="Tumor"');
    expect(text).toMatch(/<Region Id="2" Type="1"[^>]* AreaMicrons="625"/);
    // #ff3366 as ImageScope stores it: 0x6633ff.
    expect(text).toContain(`LineColor="${0x6633ff}"`);
    expect(reexport(text, 'aperio')).toBe(text);
  });

  it("reads the fork's one-line XML export", () => {
    const set = setOf(everyKind());
    const text = exportAnnotations(set.list(), 'xml');
    const { annotations } = importAnnotations(text, 'xml');
    expect(annotations.map((a) => a.geometry.kind)).toEqual(['point', 'rectangle', 'polygon', 'circle', 'ellipse', 'line', 'polyline']);
    expect(annotations[1]).toMatchObject({ id: 'r1', label: 'tumor', geometry: { x: 10, y: 20, width: 100, height: 50 } });
    expect(annotations[3]?.geometry).toMatchObject({ kind: 'circle', center: { x: 500, y: 500 } });
  });
});

describe("the fork's JSON and XML", () => {
  it('reads an export of the fork, keeping its times, and reports entries of another slide', () => {
    const { annotations, problems } = importAnnotations(fixture('fork-export.json'), 'json', { slideId: 'test.tif' });
    expect(annotations.map((a) => a.id)).toEqual(['ann-1714150000123-1', 'ann-1714150000123-2', 'ann-1714150000123-3']);
    expect(annotations[1]).toMatchObject({ created: 1714150001000, updated: 1714150100000, author: 'tester-updated', label: null });
    expect(annotations[1]?.style).toEqual({ color: '#00aa88', opacity: 0.800000011920929, pointRadius: 12 });
    expect(problems).toEqual([{ index: 3, id: 'ann-1714150000123-4', message: 'belongs to slide "other.svs", not this one', kept: false }]);
    // Written back, the entries equal the fork's own (numbers compared as numbers: the fork writes 10.0).
    const again = JSON.parse(exportAnnotations(annotations as Annotation[], 'json', { slideId: 'test.tif' }));
    expect(again).toEqual(JSON.parse(fixture('fork-export.json')).slice(0, 3));
  });

  it('round-trips its own JSON export', () => {
    const text = exportAnnotations(setOf(everyKind()).list(), 'json', { slideId: 's' });
    expect(reexport(text, 'json')).toBe(text);
  });

  it("writes the fork's XML byte for byte", () => {
    const set = setOf([{ id: 'ann-1714150000123-1', geometry: { kind: 'rectangle', x: 10, y: 20, width: 100, height: 50 }, label: 'tumor' }]);
    expect(exportAnnotations(set.list(), 'xml')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Annotations><Annotation Id="ann-1714150000123-1" Name="tumor" Type="Rectangle" PartOfGroup="None" Color="#ff3366"><Regions><Region Id="1" Type="0"><Vertices><Vertex X="10.000" Y="20.000" Z="0"/><Vertex X="110.000" Y="20.000" Z="0"/><Vertex X="110.000" Y="70.000" Z="0"/><Vertex X="10.000" Y="70.000" Z="0"/></Vertices></Region></Regions></Annotation></Annotations>',
    );
    expect(exportAnnotations([], 'xml')).toBe('<?xml version="1.0" encoding="UTF-8"?><Annotations></Annotations>');
  });

  it('refuses files that are no annotation format', () => {
    expect(() => importAnnotations('hello')).toThrow(expect.objectContaining({ code: 'unsupported_annotation_format' }));
    expect(() => importAnnotations('{"type":', 'geojson')).toThrow(expect.objectContaining({ code: 'unsupported_annotation_format' }));
    expect(() => importAnnotations('<a><b>', 'aperio')).toThrow(expect.objectContaining({ code: 'unsupported_annotation_format' }));
    expect(() => importAnnotations('{"features": 3}', 'geojson')).toThrow('GeoJSON FeatureCollection expected');
  });
});
