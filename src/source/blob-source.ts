import { SlideError, throwIfAborted } from '../errors.js';
import { checkRange, outOfBounds, type RangeSource, type ReadOptions } from './range-source.js';

/** A browser `File` or `Blob` (drag and drop, file picker): read by `slice`, never loaded whole. */
export class BlobSource implements RangeSource {
  readonly id: string;
  /** A File's size and modification time: two files of one name (the id) are told apart by it before any read. */
  readonly version: string | undefined;
  readonly #blob: Blob;

  constructor(blob: Blob, id?: string) {
    this.#blob = blob;
    this.id = id ?? ((blob as { name?: unknown }).name as string | undefined) ?? 'blob';
    const modified = (blob as { lastModified?: unknown }).lastModified;
    this.version = typeof modified === 'number' ? `file:${blob.size}:${modified}` : undefined;
  }

  async size(): Promise<number> {
    return this.#blob.size;
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    throwIfAborted(opts.signal, this.id);
    checkRange(this.id, offset, length);
    if (offset + length > this.#blob.size) throw outOfBounds(this.id, offset, length, this.#blob.size);
    let buffer: ArrayBuffer;
    try {
      buffer = await this.#blob.slice(offset, offset + length).arrayBuffer();
    } catch (cause) {
      // A File whose disk copy changed or vanished after it was picked fails here (NotReadableError).
      throw new SlideError('object_changed', `Could not read ${this.id}: the file changed or was removed after it was chosen. Choose it again.`, {
        cause,
        source: this.id,
      });
    }
    throwIfAborted(opts.signal, this.id);
    return new Uint8Array(buffer);
  }
}
