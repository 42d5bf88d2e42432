import { SlideError } from '../../errors.js';
import { bboxOf } from '../geometry.js';
import type { Annotation } from '../types.js';
import { type FormatOptions, ImportCollector, type ImportResult } from './import-result.js';
import { isJsonObject } from '../json-object.js';

/** An annotation in the fields and order of WSIStreamer's annotation fork (times in Unix seconds). */
export function toForkAnnotation(a: Annotation, slideId: string): Record<string, unknown> {
  const { measurements: _derived, ...properties } = a.properties;
  return {
    id: a.id,
    slide_id: slideId,
    annotation_type: a.geometry.kind,
    geometry: a.geometry,
    bbox: bboxOf(a.geometry),
    style: { color: a.style.color, opacity: a.style.opacity, ...(a.style.pointRadius === undefined ? {} : { point_radius: a.style.pointRadius }) },
    label: a.label,
    created_at: Math.floor(a.created / 1000),
    updated_at: Math.floor(a.updated / 1000),
    author_id: a.author,
    // Ours, beyond the fork's fields (its clients ignore unknown fields): classification and other free properties.
    ...(Object.keys(properties).length ? { properties } : {}),
  };
}

/** The fork's `json` export: a pretty-printed array. */
export function toForkJson(annotations: readonly Annotation[], slideId: string): string {
  return JSON.stringify(
    annotations.map((a) => toForkAnnotation(a, slideId)),
    null,
    2,
  );
}

const seconds = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v * 1000 : undefined);

/**
 * Reads the fork's `json` export. Unlike the fork, it keeps the file's times, and an entry of another slide is
 * reported, not silently dropped.
 */
export function fromForkJson(text: string, options: FormatOptions = {}): ImportResult {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    throw new SlideError('unsupported_annotation_format', `The annotation JSON is not valid JSON (${(cause as Error).message}).`, { cause });
  }
  if (!Array.isArray(root)) throw new SlideError('unsupported_annotation_format', 'The annotation JSON must be an array of annotations, as the fork exports.');
  const out = new ImportCollector(options);
  root.forEach((entry, index) => {
    const id = isJsonObject(entry) && typeof entry.id === 'string' ? entry.id : undefined;
    out.take(index, id, () => {
      if (!isJsonObject(entry)) throw new SlideError('invalid_annotation', 'an annotation must be an object');
      if (options.slideId !== undefined && typeof entry.slide_id === 'string' && entry.slide_id !== options.slideId) {
        throw new SlideError('invalid_annotation', `belongs to slide ${JSON.stringify(entry.slide_id.slice(0, 200))}, not this one`);
      }
      const style = isJsonObject(entry.style) ? entry.style : undefined;
      out.add({
        id,
        geometry: entry.geometry,
        label: typeof entry.label === 'string' ? entry.label : null,
        style: style
          ? {
              color: style.color as string,
              opacity: style.opacity as number,
              ...(typeof style.point_radius === 'number' ? { pointRadius: style.point_radius } : {}),
            }
          : undefined,
        author: typeof entry.author_id === 'string' ? entry.author_id : undefined,
        created: seconds(entry.created_at),
        updated: seconds(entry.updated_at),
        properties: isJsonObject(entry.properties) ? entry.properties : undefined,
      });
    });
  });
  return out.result();
}
