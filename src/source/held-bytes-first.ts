import { concatBytes } from './concat-bytes.js';
import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

/** What can answer a read from memory alone: the metadata block cache. */
export interface HeldBytes {
  peek(offset: number, length: number): Uint8Array | undefined;
  /** How far from `offset` (up to `end`) bytes are held. */
  heldUntil(offset: number, end: number): number;
  /** Where the held bytes that reach `end` begin (down to `offset`). */
  heldFrom(offset: number, end: number): number;
}

/**
 * Tile reads bypass the metadata cache, but bytes that came along with the directories are already held there: small
 * tiles that writers put beside the directories at the end of a file, and the start of whatever lies in the open's
 * tail read (an Aperio thumbnail's strips run into it). A read is served from memory where it is held at either end,
 * and only the rest is asked of the network, so no byte of the file crosses it twice.
 */
export class HeldBytesFirst extends SourceWrapper {
  readonly #held: HeldBytes;

  constructor(held: HeldBytes, inner: RangeSource) {
    super(inner);
    this.#held = held;
  }

  async read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    const end = offset + length;
    const to = this.#held.heldUntil(offset, end);
    if (to === end) return this.#held.peek(offset, length)!;
    const from = this.#held.heldFrom(to, end);
    // Taken before the request goes out: the cache may let them go meanwhile.
    const head = this.#held.peek(offset, to - offset);
    const tail = this.#held.peek(from, end - from);
    const middle = await this.inner.read(to, from - to, opts);
    return head || tail ? concatBytes([head, middle, tail].filter((part) => part !== undefined)) : middle;
  }
}
