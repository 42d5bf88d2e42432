import { randomBytes } from 'node:crypto';
import RBush from 'rbush';
import { footprintOf } from '../../annotations/geometry.js';
import type { AnnotationKind, Box } from '../../annotations/types.js';
import { ApiError } from '../http-error.js';
import { AnnotationFile } from './file-store.js';
import type { StoredAnnotation } from './record.js';

interface Indexed {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  id: string;
}

/** Changes staged by one request, seen by its own later steps, applied together or not at all. */
export class Transaction {
  readonly staged = new Map<string, StoredAnnotation | null>();
  readonly #store: AnnotationStore;

  constructor(store: AnnotationStore) {
    this.#store = store;
  }

  get(id: string): StoredAnnotation | undefined {
    const staged = this.staged.get(id);
    return staged === null ? undefined : (staged ?? this.#store.get(id));
  }

  put(record: StoredAnnotation): void {
    this.staged.set(record.annotation.id, record);
  }

  delete(id: string): void {
    this.staged.set(id, null);
  }

  /** The next creation order number. */
  nextSeq(): number {
    return this.#store.takeSeq();
  }
}

/**
 * The sidecar's annotations: every slide's, ids unique across slides, an R-tree per slide for viewport queries, and
 * (with a file) every change saved before it is answered. Changes are serialised: one request's changes are staged,
 * validated, saved and only then visible; if saving fails, none of them is.
 */
export class AnnotationStore {
  readonly #records = new Map<string, StoredAnnotation>();
  readonly #trees = new Map<string, RBush<Indexed>>();
  readonly #items = new Map<string, Indexed>();
  readonly #file: AnnotationFile | undefined;
  #seq = 0;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: AnnotationFile | undefined) {
    this.#file = file;
  }

  /** In memory, or loaded from `path` (a file that cannot be used stops here, and is left untouched). */
  static async open(path?: string): Promise<AnnotationStore> {
    const file = path ? new AnnotationFile(path) : undefined;
    const store = new AnnotationStore(file);
    for (const r of (await file?.load()) ?? []) store.#apply({ ...r, seq: ++store.#seq });
    return store;
  }

  get description(): string {
    return this.#file ? `JSON file ${this.#file.path}` : 'in-memory';
  }

  get size(): number {
    return this.#records.size;
  }

  get(id: string): StoredAnnotation | undefined {
    return this.#records.get(id);
  }

  takeSeq(): number {
    return ++this.#seq;
  }

  /** A fresh id in the fork's shape, `ann-{ms}-{random}`: not guessable, not reset by a restart. */
  newId(): string {
    let id: string;
    do id = `ann-${Date.now()}-${randomBytes(5).toString('hex')}`;
    while (this.#records.has(id));
    return id;
  }

  /** A slide's annotations in creation order, those touching `bbox` (closed boxes) and of `kind` when given. */
  list(slideId: string, query: { bbox?: Box; kind?: AnnotationKind } = {}): StoredAnnotation[] {
    const tree = this.#trees.get(slideId);
    if (!tree) return [];
    const items = query.bbox
      ? tree.search({ minX: query.bbox.x, minY: query.bbox.y, maxX: query.bbox.x + query.bbox.width, maxY: query.bbox.y + query.bbox.height })
      : tree.all();
    const out = items.map((i) => this.#records.get(i.id)!).filter((r) => !query.kind || r.annotation.geometry.kind === query.kind);
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Runs `stage` alone, then applies and saves what it staged; a throw from `stage` changes nothing. */
  transact<T>(stage: (tx: Transaction) => T): Promise<T> {
    const run = this.#queue.then(async () => {
      const tx = new Transaction(this);
      const result = stage(tx);
      if (tx.staged.size === 0) return result;
      const before = new Map([...tx.staged.keys()].map((id) => [id, this.#records.get(id)]));
      for (const [id, record] of tx.staged) record ? this.#apply(record) : this.#remove(id);
      try {
        await this.#file?.save([...this.#records.values()].sort((a, b) => a.seq - b.seq));
      } catch (e) {
        for (const [id, record] of before) record ? this.#apply(record) : this.#remove(id);
        throw new ApiError('storage_error', `The annotations could not be saved (${(e as Error).message}); nothing was changed.`);
      }
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #apply(record: StoredAnnotation): void {
    this.#remove(record.annotation.id);
    this.#records.set(record.annotation.id, record);
    const item = { ...footprintOf(record.annotation), id: record.annotation.id };
    const tree = this.#trees.get(record.slideId) ?? new RBush<Indexed>();
    this.#trees.set(record.slideId, tree);
    tree.insert(item);
    this.#items.set(record.annotation.id, item);
  }

  #remove(id: string): void {
    const old = this.#records.get(id);
    const item = this.#items.get(id);
    if (!old || !item) return;
    this.#trees.get(old.slideId)?.remove(item);
    this.#items.delete(id);
    this.#records.delete(id);
  }
}
