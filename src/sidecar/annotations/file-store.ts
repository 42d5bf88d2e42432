import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toForkAnnotation } from '../../annotations/formats/fork-json.js';
import { bboxOf } from '../../annotations/geometry.js';
import { validAuthor, validGeometry, validLabel, validProperties, validStyle } from '../../annotations/validate.js';
import { SlideError } from '../../errors.js';
import type { StoredAnnotation } from './record.js';

/**
 * The annotations file: the fork's layout (`annotations`, `slide_index`, `spatial_index`), so either server reads the
 * other's file, plus each entry's millisecond times and creation order. Written whole to a temporary file, flushed,
 * then renamed over the old one: a crash leaves the old file or the new one, never half of one.
 */
export class AnnotationFile {
  readonly path: string;
  #writes = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** The stored annotations; none when the file does not exist yet. A file that cannot be read stops the start. */
  async load(): Promise<StoredAnnotation[]> {
    await this.#removeLeftovers();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.#unusable(`it cannot be read (${(e as Error).message})`);
    }
    if (text.trim() === '') return [];
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw this.#unusable(`it is not valid JSON (${(e as Error).message})`);
    }
    const entries = (doc as { annotations?: unknown } | null)?.annotations;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw this.#unusable('it has no "annotations" object');
    const loaded: StoredAnnotation[] = [];
    for (const [id, value] of Object.entries(entries)) {
      try {
        loaded.push(this.#entry(id, value as Record<string, unknown>));
      } catch (e) {
        throw this.#unusable(`its annotation ${JSON.stringify(id.slice(0, 100))} is invalid (${(e as Error).message})`);
      }
    }
    // Files the fork wrote carry no order: creation time, then id, as it listed them.
    loaded.sort((a, b) => a.seq - b.seq || a.annotation.created - b.annotation.created || (a.annotation.id < b.annotation.id ? -1 : 1));
    return loaded;
  }

  #entry(id: string, e: Record<string, unknown>): StoredAnnotation {
    if (typeof e !== 'object' || e === null) throw new Error('not an object');
    const seconds = (v: unknown, name: string) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} is not a number`);
      return v * 1000;
    };
    const created = typeof e.created_ms === 'number' ? e.created_ms : seconds(e.created_at, 'created_at');
    const style = e.style as Record<string, unknown> | undefined;
    if (typeof e.slide_id !== 'string') throw new Error('slide_id is not a string');
    return {
      slideId: e.slide_id,
      seq: typeof e.seq === 'number' ? e.seq : Number.MAX_SAFE_INTEGER,
      annotation: {
        id,
        geometry: validGeometry(e.geometry),
        label: validLabel(e.label ?? null),
        style: validStyle(style),
        author: validAuthor(e.author_id),
        created,
        updated: typeof e.updated_ms === 'number' ? e.updated_ms : seconds(e.updated_at, 'updated_at'),
        properties: validProperties(e.properties),
      },
    };
  }

  /** Temporary files of a save that a crash interrupted: the file itself is still the last complete save. */
  async #removeLeftovers(): Promise<void> {
    const prefix = `.${basename(this.path)}.`;
    const names = await readdir(dirname(this.path)).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp')).map((n) => unlink(join(dirname(this.path), n)).catch(() => undefined)));
  }

  #unusable(why: string): SlideError {
    return new SlideError(
      'corrupt',
      `The annotations file ${this.path} cannot be used: ${why}. It has been left as it is, so nothing in it is lost: repair it or move it away, then start the server again.`,
    );
  }

  /** Replaces the file with `records`, atomically and durably. */
  async save(records: Iterable<StoredAnnotation>): Promise<void> {
    const annotations: Record<string, unknown> = {};
    const slideIndex: Record<string, string[]> = {};
    const spatialIndex: Record<string, unknown[]> = {};
    for (const r of records) {
      const a = r.annotation;
      annotations[a.id] = { ...toForkAnnotation(a, r.slideId), created_ms: a.created, updated_ms: a.updated, seq: r.seq };
      const ids = slideIndex[r.slideId] ?? [];
      const boxes = spatialIndex[r.slideId] ?? [];
      slideIndex[r.slideId] = ids;
      spatialIndex[r.slideId] = boxes;
      ids.push(a.id);
      boxes.push({ id: a.id, bbox: bboxOf(a.geometry) });
    }
    const text = JSON.stringify({ annotations, slide_index: slideIndex, spatial_index: spatialIndex }, null, 2);
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temporary = join(dir, `.${basename(this.path)}.${process.pid}.${++this.#writes}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } catch (e) {
      await handle.close();
      await unlink(temporary).catch(() => undefined);
      throw e;
    }
    await handle.close();
    try {
      await rename(temporary, this.path);
    } catch (e) {
      await unlink(temporary).catch(() => undefined);
      throw e;
    }
    // The rename itself is made durable by flushing the directory (where the platform allows opening one).
    const folder = await open(dir, 'r').catch(() => undefined);
    await folder?.sync().catch(() => undefined);
    await folder?.close();
  }
}
