/** `wsi-stream/annotations`: the shape model, its measurements and its file formats, for browsers and Node. */
export { AnnotationSet, type AnnotationSetOptions, type AnnotationChange, type AnnotationEvents, type ChangeOrigin } from './annotations/annotation-set.js';
export { bboxOf, measure, formatMeasurement, outlineOf, hitsGeometry } from './annotations/geometry.js';
export { ANNOTATION_LIMITS, validGeometry, validStyle } from './annotations/validate.js';
export { newAnnotationId } from './annotations/new-id.js';
export {
  ANNOTATION_KINDS,
  DEFAULT_STYLE,
  type Annotation,
  type AnnotationInput,
  type AnnotationKind,
  type AnnotationPatch,
  type AnnotationProperties,
  type AnnotationStyle,
  type Box,
  type Geometry,
  type Measurement,
  type Point,
} from './annotations/types.js';
export { ANNOTATION_FORMATS, detectAnnotationFormat, exportAnnotations, importAnnotations, type AnnotationFormat } from './annotations/formats/index.js';
export type { FormatOptions, ImportProblem, ImportResult } from './annotations/formats/import-result.js';
export { toForkAnnotation } from './annotations/formats/fork-json.js';
