import type { RangeSource, ReadOptions } from './range-source.js';

/** What can answer a read from memory alone: the metadata block cache. */
export interface HeldBytes {
  peek(offset: number, length: number): Uint8Array | undefined;
}

/**
 * Tile reads bypass the metadata cache, but small tiles that came along with the directories (writers that put a
 * file's small levels and its directories together at the end) are already held there: serve those from memory
 * instead of asking the network for the same bytes again.
 */
export class HeldBytesFirst implements RangeSource {
  readonly id: string;
  readonly #held: HeldBytes;
  readonly #inner: RangeSource;

  constructor(held: HeldBytes, inner: RangeSource) {
    this.#held = held;
    this.#inner = inner;
    this.id = inner.id;
  }

  size(opts?: ReadOptions): Promise<number> {
    return this.#inner.size(opts);
  }

  async read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    return this.#held.peek(offset, length) ?? this.#inner.read(offset, length, opts);
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }
}
