import { SlideError } from '../../errors.js';
import type { Annotation } from '../types.js';
import { fromAperioXml, toAperioXml } from './aperio-xml.js';
import { fromForkJson, toForkJson } from './fork-json.js';
import { toForkXml } from './fork-xml.js';
import { fromGeoJson, toGeoJson } from './geojson.js';
import type { FormatOptions, ImportResult } from './import-result.js';

/**
 * `geojson`: QuPath's GeoJSON. `aperio`: ImageScope XML. `json`: the fork's JSON export. `xml`: the fork's one-line
 * XML export (written as the fork writes it; read by the `aperio` reader, which knows it).
 */
export type AnnotationFormat = 'geojson' | 'aperio' | 'json' | 'xml';

export const ANNOTATION_FORMATS: readonly AnnotationFormat[] = ['geojson', 'aperio', 'json', 'xml'];

export function exportAnnotations(annotations: readonly Annotation[], format: AnnotationFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'geojson':
      return toGeoJson(annotations);
    case 'aperio':
      return toAperioXml(annotations, options);
    case 'json':
      return toForkJson(annotations, options.slideId ?? '');
    case 'xml':
      return toForkXml(annotations);
    default:
      throw new SlideError(
        'unsupported_annotation_format',
        `Annotations are exported as ${ANNOTATION_FORMATS.join(', ')}, not ${String(format).slice(0, 40)}.`,
      );
  }
}

/** The format of a file by its first character: `<` is XML, `[` the fork's JSON, `{` GeoJSON. */
export function detectAnnotationFormat(text: string): AnnotationFormat {
  const first = text.trimStart()[0];
  if (first === '<') return 'aperio';
  if (first === '[') return 'json';
  if (first === '{') return 'geojson';
  throw new SlideError('unsupported_annotation_format', 'This is neither GeoJSON, ImageScope XML nor annotation JSON.');
}

/** Reads a file of shapes; a shape that cannot be read is a problem in the result, and the others are kept. */
export function importAnnotations(text: string, format: AnnotationFormat = detectAnnotationFormat(text), options: FormatOptions = {}): ImportResult {
  switch (format) {
    case 'geojson':
      return fromGeoJson(text, options);
    case 'aperio':
    case 'xml':
      return fromAperioXml(text, options);
    case 'json':
      return fromForkJson(text, options);
    default:
      throw new SlideError(
        'unsupported_annotation_format',
        `Annotations are imported from ${ANNOTATION_FORMATS.join(', ')}, not ${String(format).slice(0, 40)}.`,
      );
  }
}
