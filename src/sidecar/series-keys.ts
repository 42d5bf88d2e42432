import { isDicomKey, isSlideKey } from '../slide/slide-key.js';

/** A slide found in a key listing, and the last key it took (where a listing that stops after it resumes). */
export interface ListedSlide {
  id: string;
  lastKey: string;
}

const folderOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);
const isHidden = (key: string) => key.slice(key.lastIndexOf('/') + 1).startsWith('.');

/**
 * Turns object keys, in key order, into slide ids by the folder store's rule: a folder (below `root`) that holds
 * nothing but DICOM files is one slide, its series, named by the folder without its slash; any other DICOM file or
 * slide file is a slide of its own. A listing is flat, but every key under a folder sorts together, so a run of
 * DICOM keys in one folder is the whole folder exactly when neither the key before it nor the key after it lies
 * under that folder — which one key of look-behind and look-ahead decide.
 */
export class SeriesKeyGrouper {
  readonly #root: string;
  #previous: string | undefined;
  #run: { folder: string; keys: string[]; alone: boolean } | undefined;

  /** `root`: the listing's prefix, no series of its own; `after`: the key the listing resumes after, if any. */
  constructor(root: string, after?: string) {
    this.#root = folderOf(root);
    this.#previous = after;
  }

  /** The slides the next key completes (a run of DICOM keys ends at a key outside it). */
  push(key: string): ListedSlide[] {
    if (key.endsWith('/') || isHidden(key)) return [];
    const folder = folderOf(key);
    const out: ListedSlide[] = [];
    if (this.#run && folder === this.#run.folder && isDicomKey(key)) {
      this.#run.keys.push(key);
    } else {
      if (this.#run) out.push(...this.#flush(!key.startsWith(this.#run.folder)));
      if (isDicomKey(key) && folder.length > this.#root.length) {
        this.#run = { folder, keys: [key], alone: !this.#previous?.startsWith(folder) };
      } else if (isSlideKey(key) || isDicomKey(key)) {
        out.push({ id: key, lastKey: key });
      }
    }
    this.#previous = key;
    return out;
  }

  /** The slides still held when the listing ends. */
  end(): ListedSlide[] {
    return this.#run ? this.#flush(true) : [];
  }

  #flush(nothingAfter: boolean): ListedSlide[] {
    const run = this.#run!;
    this.#run = undefined;
    if (run.alone && nothingAfter) return [{ id: run.folder.slice(0, -1), lastKey: run.keys[run.keys.length - 1]! }];
    return run.keys.map((key) => ({ id: key, lastKey: key }));
  }
}
