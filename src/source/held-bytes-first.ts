import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

/** What can answer a read from memory alone: the metadata block cache. */
export interface HeldBytes {
  peek(offset: number, length: number): Uint8Array | undefined;
}

/**
 * Tile reads bypass the metadata cache, but small tiles that came along with the directories (writers that put a
 * file's small levels and its directories together at the end) are already held there: serve those from memory
 * instead of asking the network for the same bytes again.
 */
export class HeldBytesFirst extends SourceWrapper {
  readonly #held: HeldBytes;

  constructor(held: HeldBytes, inner: RangeSource) {
    super(inner);
    this.#held = held;
  }

  async read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    return this.#held.peek(offset, length) ?? this.inner.read(offset, length, opts);
  }
}
