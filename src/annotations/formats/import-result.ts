import { newAnnotationId } from '../new-id.js';
import { type Annotation, DEFAULT_STYLE } from '../types.js';
import { validAuthor, validGeometry, validId, validLabel, validProperties, validStyle } from '../validate.js';

/** One feature, region or entry an import could not take whole: which, and why. */
export interface ImportProblem {
  /** Position in the input (feature, region or array index). */
  index: number;
  id?: string;
  message: string;
  /** True when the shape was still imported, with the part named in `message` left out (a polygon's holes). */
  kept: boolean;
}

/** What an import read: the shapes, complete but not yet checked against a set, and what it could not read. */
export interface ImportResult {
  annotations: Annotation[];
  problems: ImportProblem[];
}

export interface FormatOptions {
  /** Pixel size in µm: ImageScope's `MicronsPerPixel` and QuPath's µm measurements. */
  mpp?: { x: number; y: number };
  /** Author for shapes the file names none for. */
  author?: string;
  /** The fork's formats name the slide in every entry. */
  slideId?: string;
  /** Clock for shapes the file gives no time, for tests. */
  now?: number;
}

export interface AnnotationFields {
  id?: string | undefined;
  geometry: unknown;
  label?: string | null | undefined;
  style?: { color: string; opacity: number; pointRadius?: number | undefined } | undefined;
  author?: string | undefined;
  created?: number | undefined;
  updated?: number | undefined;
  properties?: Record<string, unknown> | undefined;
}

/** Collects what an import reads, entry by entry: a bad entry becomes a problem, and the rest are kept. */
export class ImportCollector {
  readonly annotations: Annotation[] = [];
  readonly problems: ImportProblem[] = [];
  readonly #options: FormatOptions;
  readonly #ids = new Set<string>();

  constructor(options: FormatOptions) {
    this.#options = options;
  }

  /** Runs `read` for entry `index`; what it throws is recorded as that entry's problem. */
  take(index: number, id: string | undefined, read: () => void): void {
    try {
      read();
    } catch (e) {
      this.problems.push({ index, ...(id === undefined ? {} : { id }), message: e instanceof Error ? e.message : String(e), kept: false });
    }
  }

  /** A part of entry `index` was left out, but the shape was imported. */
  note(index: number, id: string | undefined, message: string): void {
    this.problems.push({ index, ...(id === undefined ? {} : { id }), message, kept: true });
  }

  /** Checks one shape and keeps it; an id the file repeats, or a bad one, is replaced by a fresh one. */
  add(fields: AnnotationFields): void {
    const now = this.#options.now ?? Date.now();
    const geometry = validGeometry(fields.geometry);
    let id: string | undefined;
    try {
      id = fields.id === undefined ? undefined : validId(fields.id);
    } catch {
      id = undefined;
    }
    if (id === undefined || this.#ids.has(id)) id = newAnnotationId();
    this.#ids.add(id);
    const created = fields.created ?? now;
    this.annotations.push({
      id,
      geometry,
      label: validLabel(fields.label ?? null),
      style: validStyle(fields.style ?? DEFAULT_STYLE),
      author: validAuthor(fields.author ?? this.#options.author ?? 'import'),
      created,
      updated: fields.updated ?? created,
      properties: validProperties(fields.properties),
    });
  }

  result(): ImportResult {
    return { annotations: this.annotations, problems: this.problems };
  }
}
