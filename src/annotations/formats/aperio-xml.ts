import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { SlideError } from '../../errors.js';
import { boxOfPoints, outlineOf } from '../geometry.js';
import type { Annotation, AnnotationKind, Box, Geometry, Point } from '../types.js';
import { colorrefToHex, hexToColorref } from './colours.js';
import { type FormatOptions, ImportCollector, type ImportResult } from './import-result.js';

/**
 * Aperio ImageScope XML: `Annotations` holds layers (`Annotation`, one colour each, `LineColor` a decimal COLORREF),
 * each holding `Region`s with a `Type` (0 free-hand, 1 rectangle, 2 ellipse by two corners of its box, 3 arrow,
 * 4 ruler) and `Vertices`. We write one layer per classification and colour; what ImageScope has no place for (the
 * kinds it lacks, opacity, author, times, ids) rides in a Region `Attribute` named `wsi-stream`, which ImageScope
 * keeps and shows, so a file we write reads back to the same shapes.
 */

const REGION_TYPE: Record<AnnotationKind, number> = { polygon: 0, polyline: 0, point: 0, rectangle: 1, ellipse: 2, circle: 2, line: 4 };
const OURS = 'wsi-stream';

function regionVertices(g: Geometry): Point[] {
  if (g.kind === 'circle')
    return [
      { x: g.center.x - g.radius, y: g.center.y - g.radius },
      { x: g.center.x + g.radius, y: g.center.y + g.radius },
    ];
  if (g.kind === 'ellipse')
    return [
      { x: g.center.x - g.radius_x, y: g.center.y - g.radius_y },
      { x: g.center.x + g.radius_x, y: g.center.y + g.radius_y },
    ];
  return outlineOf(g);
}

/** The kind ImageScope's region type and vertex count give, absent our attribute. */
function naturalKind(type: number, count: number): AnnotationKind | undefined {
  if (type === 1) return 'rectangle';
  if (type === 2) return 'ellipse';
  if (type === 3 || type === 4) return 'line';
  if (type === 0) return count >= 3 ? 'polygon' : count === 2 ? 'line' : 'point';
  return undefined;
}

function region(a: Annotation, id: number, mpp: FormatOptions['mpp']) {
  const { classification, measurements, ...properties } = a.properties;
  const g = a.geometry;
  const ours = {
    id: a.id,
    // The layer names the class; its colour may differ from the shape's, so it is kept here too.
    ...(classification ? { classification } : {}),
    ...(naturalKind(REGION_TYPE[g.kind], regionVertices(g).length) === g.kind ? {} : { kind: g.kind }),
    color: a.style.color,
    opacity: a.style.opacity,
    ...(a.style.pointRadius === undefined ? {} : { pointRadius: a.style.pointRadius }),
    author: a.author,
    created: a.created,
    updated: a.updated,
    ...(Object.keys(properties).length ? { properties } : {}),
  };
  const length = measurements?.length ?? measurements?.perimeter ?? 0;
  const area = measurements?.area ?? 0;
  const pixels = mpp ? { length: length / mpp.x, area: area / (mpp.x * mpp.y) } : { length, area };
  return {
    '@_Id': id,
    '@_Type': REGION_TYPE[g.kind],
    '@_Zoom': 1,
    '@_Selected': 0,
    '@_ImageLocation': '',
    '@_ImageFocus': -1,
    '@_Length': pixels.length,
    '@_Area': pixels.area,
    '@_LengthMicrons': mpp ? length : 0,
    '@_AreaMicrons': mpp ? area : 0,
    '@_Text': a.label ?? '',
    '@_NegativeROA': properties.negative === true ? 1 : 0,
    '@_InputRegionId': 0,
    '@_Analyze': 1,
    '@_DisplayId': id,
    Attributes: { Attribute: [{ '@_Name': OURS, '@_Id': 0, '@_Value': JSON.stringify(ours) }] },
    Vertices: { Vertex: regionVertices(g).map((p) => ({ '@_X': p.x, '@_Y': p.y, '@_Z': 0 })) },
  };
}

export function toAperioXml(annotations: readonly Annotation[], options: FormatOptions = {}): string {
  // One layer per classification and colour, in the order they first appear.
  const layers = new Map<string, { name: string; color: string; shapes: Annotation[] }>();
  for (const a of annotations) {
    const name = a.properties.classification?.name ?? '';
    const key = `${name}\u0000${a.style.color.slice(0, 7).toLowerCase()}`;
    const layer = layers.get(key) ?? { name, color: a.style.color, shapes: [] };
    layers.set(key, layer);
    layer.shapes.push(a);
  }
  let regionId = 0;
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Annotations: {
      ...(options.mpp ? { '@_MicronsPerPixel': options.mpp.x } : {}),
      Annotation: [...layers.values()].map((layer, i) => ({
        '@_Id': i + 1,
        '@_Name': layer.name,
        '@_ReadOnly': 0,
        '@_NameReadOnly': 0,
        '@_LineColorReadOnly': 0,
        '@_Incremental': 0,
        '@_Type': 4,
        '@_LineColor': hexToColorref(layer.color),
        '@_Visible': 1,
        '@_Selected': 0,
        '@_MarkupImagePath': '',
        '@_MacroName': '',
        Attributes: { Attribute: [{ '@_Name': 'Description', '@_Id': 0, '@_Value': '' }] },
        Regions: { RegionAttributeHeaders: '', Region: layer.shapes.map((a) => region(a, ++regionId, options.mpp)) },
        Plots: '',
      })),
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true }).build(doc);
}

// ---- reading ----

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v && typeof v === 'object' ? [v as Node] : []);

function vertexList(r: Node): Point[] {
  const vertices = list((r.Vertices as Node | undefined)?.Vertex);
  return vertices.map((v) => {
    const x = Number(v['@_X']);
    const y = Number(v['@_Y']);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new SlideError('invalid_annotation', 'a Vertex needs numeric X and Y');
    return { x, y };
  });
}

const centre = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

function geometryOf(kind: AnnotationKind, points: Point[]): Geometry {
  const box = boxOfPoints(points);
  switch (kind) {
    case 'point':
      return { kind, point: points[0]! };
    case 'rectangle':
      return { kind, ...box };
    case 'circle':
      return { kind, center: centre(box), radius: Math.max(box.width, box.height) / 2 };
    case 'ellipse':
      return { kind, center: centre(box), radius_x: box.width / 2, radius_y: box.height / 2 };
    case 'line':
      return { kind, start: points[0]!, end: points.at(-1)! };
    case 'polygon':
    case 'polyline':
      return { kind, points };
  }
}

function oursOf(r: Node): Record<string, unknown> {
  const attribute = list((r.Attributes as Node | undefined)?.Attribute).find((a) => a['@_Name'] === OURS);
  if (!attribute) return {};
  try {
    const value = JSON.parse(String(attribute['@_Value']));
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

const KINDS = new Set<string>(['point', 'rectangle', 'polygon', 'circle', 'ellipse', 'line', 'polyline']);

/**
 * Reads ImageScope XML (layers of regions; a layer's name becomes the classification, its colour the shapes'), and
 * the fork's one-line `xml` export (one `Annotation` per shape with a `Type` name and a `#hex` Color).
 */
export function fromAperioXml(text: string, options: FormatOptions = {}): ImportResult {
  let root: Node;
  try {
    root = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, processEntities: true }).parse(text, true) as Node;
  } catch (cause) {
    throw new SlideError('unsupported_annotation_format', `The XML cannot be parsed (${(cause as Error).message}).`, { cause });
  }
  if (!root.Annotations) throw new SlideError('unsupported_annotation_format', 'ImageScope XML has an <Annotations> root; this file has none.');
  const out = new ImportCollector(options);
  let index = 0;
  for (const layer of list((root.Annotations as Node).Annotation)) {
    const forkType = String(layer['@_Type'] ?? '').toLowerCase();
    const fork = KINDS.has(forkType);
    const layerName = String(layer['@_Name'] ?? '');
    const layerColour = fork ? String(layer['@_Color'] ?? '#ff3366') : colorrefToHex(Number(layer['@_LineColor'] ?? 0));
    for (const r of list((layer.Regions as Node | undefined)?.Region)) {
      const ours = oursOf(r);
      const id = typeof ours.id === 'string' ? ours.id : fork ? String(layer['@_Id']) : undefined;
      out.take(index++, id, () => {
        const points = vertexList(r);
        if (points.length === 0) throw new SlideError('invalid_annotation', 'a Region needs at least one Vertex');
        const type = Number(r['@_Type'] ?? 0);
        const kind = (fork ? forkType : typeof ours.kind === 'string' && KINDS.has(ours.kind) ? ours.kind : naturalKind(type, points.length)) as
          | AnnotationKind
          | undefined;
        if (!kind) throw new SlideError('unsupported_annotation_format', `ImageScope region type ${type} is not read`);
        const text = String(r['@_Text'] ?? '');
        const properties = { ...(typeof ours.properties === 'object' && ours.properties ? (ours.properties as Record<string, unknown>) : {}) };
        if (ours.classification) properties.classification = ours.classification;
        else if (!fork && layerName) properties.classification = { name: layerName, color: layerColour };
        if (Number(r['@_NegativeROA']) === 1) properties.negative = true;
        out.add({
          id,
          geometry: geometryOf(kind, points),
          label: fork ? layerName || null : text || null,
          style: {
            color: typeof ours.color === 'string' ? ours.color : layerColour,
            opacity: typeof ours.opacity === 'number' ? ours.opacity : 0.55,
            ...(typeof ours.pointRadius === 'number' ? { pointRadius: ours.pointRadius } : {}),
          },
          author: typeof ours.author === 'string' ? ours.author : undefined,
          created: typeof ours.created === 'number' ? ours.created : undefined,
          updated: typeof ours.updated === 'number' ? ours.updated : undefined,
          properties,
        });
      });
    }
  }
  return out.result();
}
