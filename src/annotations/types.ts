/** A position in level-0 pixels of the slide: x to the right, y down. */
export interface Point {
  x: number;
  y: number;
}

/** A box in level-0 pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A shape, tagged by `kind`, in the fields WSIStreamer's annotation fork uses, so a geometry moves between the
 * library, the sidecar and the fork's JSON unchanged. Freehand drawing makes a `polygon`.
 */
export type Geometry =
  | { kind: 'point'; point: Point }
  | { kind: 'rectangle'; x: number; y: number; width: number; height: number }
  | { kind: 'polygon'; points: Point[] }
  | { kind: 'circle'; center: Point; radius: number }
  | { kind: 'ellipse'; center: Point; radius_x: number; radius_y: number }
  | { kind: 'line'; start: Point; end: Point }
  | { kind: 'polyline'; points: Point[] };

export type AnnotationKind = Geometry['kind'];

export const ANNOTATION_KINDS: readonly AnnotationKind[] = ['point', 'rectangle', 'polygon', 'circle', 'ellipse', 'line', 'polyline'];

export interface AnnotationStyle {
  /** `#RRGGBB` or `#RRGGBBAA`. */
  color: string;
  /** Fill opacity, 0–1 (outlines are drawn opaque). */
  opacity: number;
  /** Radius of a point's marker in level-0 pixels; absent: a fixed size on screen. */
  pointRadius?: number;
}

/** What a shape measures, in µm / µm² where the slide has a pixel size, else in pixels. */
export interface Measurement {
  unit: 'µm' | 'px';
  /** Lines and polylines. */
  length?: number;
  /** Closed shapes. */
  area?: number;
  perimeter?: number;
}

export interface AnnotationProperties {
  /** The class a pathologist gave the shape (QuPath's `classification`). */
  classification?: { name: string; color?: string };
  measurements?: Measurement;
  /** Drawn with the freehand tool (its geometry is a polygon). */
  freehand?: boolean;
  [key: string]: unknown;
}

export interface Annotation {
  id: string;
  geometry: Geometry;
  label: string | null;
  style: AnnotationStyle;
  author: string;
  /** Unix milliseconds. */
  created: number;
  updated: number;
  properties: AnnotationProperties;
}

/** What `add` takes: a geometry and whatever of the rest the caller has (the set fills in id, times, author, style). */
export type AnnotationInput = Pick<Annotation, 'geometry'> & Partial<Omit<Annotation, 'geometry'>>;

/** What `update` takes: the fields to replace. `label: null` clears the label. */
export type AnnotationPatch = Partial<Pick<Annotation, 'geometry' | 'label' | 'style' | 'author' | 'properties'>>;

export const DEFAULT_STYLE: AnnotationStyle = { color: '#ff3366', opacity: 0.55 };
