import { ellipsePoints, outlineOf } from '../geometry.js';
import type { Annotation, Point } from '../types.js';

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function vertices(a: Annotation): Point[] {
  const g = a.geometry;
  if (g.kind === 'circle') return ellipsePoints(g.center, g.radius, g.radius, 32);
  if (g.kind === 'ellipse') return ellipsePoints(g.center, g.radius_x, g.radius_y, 32);
  return outlineOf(g);
}

/**
 * The fork's `xml` export, byte for byte (one line; Type the capitalised kind; Color the style's string; 3-decimal
 * vertices; circles and ellipses as 32 vertices). Kept for clients that read it; `aperio` is real ImageScope XML.
 */
export function toForkXml(annotations: readonly Annotation[]): string {
  const body = annotations
    .map((a, i) => {
      const type = a.geometry.kind[0]!.toUpperCase() + a.geometry.kind.slice(1);
      const v = vertices(a)
        .map((p) => `<Vertex X="${p.x.toFixed(3)}" Y="${p.y.toFixed(3)}" Z="0"/>`)
        .join('');
      return `<Annotation Id="${escapeAttribute(a.id)}" Name="${escapeAttribute(a.label ?? '')}" Type="${type}" PartOfGroup="None" Color="${escapeAttribute(a.style.color)}"><Regions><Region Id="${i + 1}" Type="0"><Vertices>${v}</Vertices></Region></Regions></Annotation>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Annotations>${body}</Annotations>`;
}
