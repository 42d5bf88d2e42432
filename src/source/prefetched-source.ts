import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

/** Serves reads inside one range fetched in advance (a run of strips or neighbouring tiles) from memory. */
export class PrefetchedSource extends SourceWrapper {
  readonly #start: number;
  readonly #bytes: Uint8Array;

  constructor(inner: RangeSource, start: number, bytes: Uint8Array) {
    super(inner);
    this.#start = start;
    this.#bytes = bytes;
  }

  /** Fetches [start, end) of `inner` in one request. */
  static async fetch(inner: RangeSource, start: number, end: number, opts?: ReadOptions): Promise<PrefetchedSource> {
    return new PrefetchedSource(inner, start, await inner.read(start, end - start, opts));
  }

  read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    const from = offset - this.#start;
    if (from >= 0 && from + length <= this.#bytes.length) return Promise.resolve(this.#bytes.slice(from, from + length));
    return this.inner.read(offset, length, opts);
  }
}
