import { open, type FileHandle } from 'node:fs/promises';
import { SlideError, throwIfAborted } from '../errors.js';
import { checkRange, outOfBounds, type RangeSource, type ReadOptions } from './range-source.js';

/** A local file in Node (CLI, sidecar, tests): positioned reads on one lazily opened handle. */
export class NodeFileSource implements RangeSource {
  readonly id: string;
  readonly #path: string;
  #handle?: Promise<{ handle: FileHandle; size: number }>;
  #closed = false;

  constructor(path: string) {
    this.#path = path;
    this.id = path;
  }

  #open(): Promise<{ handle: FileHandle; size: number }> {
    if (this.#closed) return this.#openFile();
    this.#handle ??= this.#openFile().catch((e: unknown) => {
      this.#handle = undefined;
      throw e;
    });
    return this.#handle;
  }

  async #openFile(): Promise<{ handle: FileHandle; size: number }> {
    try {
      const handle = await open(this.#path, 'r');
      const { size } = await handle.stat();
      return { handle, size };
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(cause);
      throw new SlideError(code === 'ENOENT' ? 'not_found' : 'network', `Cannot open ${this.#path}: ${what}.`, { cause, source: this.id });
    }
  }

  async size(opts: ReadOptions = {}): Promise<number> {
    throwIfAborted(opts.signal, this.id);
    if (!this.#closed) return (await this.#open()).size;
    const { handle, size } = await this.#openFile();
    await handle.close();
    return size;
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    throwIfAborted(opts.signal, this.id);
    checkRange(this.id, offset, length);
    // After close() (a slide evicted from a cache while a request still reads it), each read opens and closes its own
    // handle: the read succeeds and no descriptor is left for the garbage collector.
    const transient = this.#closed;
    const { handle, size } = await this.#open();
    try {
      return await this.#readFrom(handle, size, offset, length, opts);
    } finally {
      if (transient) await handle.close();
    }
  }

  async #readFrom(handle: FileHandle, size: number, offset: number, length: number, opts: ReadOptions): Promise<Uint8Array> {
    if (offset + length > size) throw outOfBounds(this.id, offset, length, size);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw new SlideError('object_changed', `${this.id} became shorter while it was read: it changed on disk.`, { source: this.id });
      done += bytesRead;
    }
    throwIfAborted(opts.signal, this.id);
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const opened = this.#handle;
    this.#handle = undefined;
    if (opened) await (await opened.catch(() => undefined))?.handle.close();
  }
}
