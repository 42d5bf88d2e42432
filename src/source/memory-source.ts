import { throwIfAborted } from '../errors.js';
import { checkRange, outOfBounds, type RangeSource, type ReadOptions } from './range-source.js';

/** Bytes already in memory: tests, small uploads, data produced in the page. */
export class MemorySource implements RangeSource {
  readonly id: string;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array, id = 'memory') {
    this.#bytes = bytes;
    this.id = id;
  }

  async size(): Promise<number> {
    return this.#bytes.length;
  }

  async read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    throwIfAborted(opts.signal, this.id);
    checkRange(this.id, offset, length);
    if (offset + length > this.#bytes.length) throw outOfBounds(this.id, offset, length, this.#bytes.length);
    // A copy, so a caller that transfers the buffer to a worker cannot detach ours.
    return this.#bytes.slice(offset, offset + length);
  }
}
