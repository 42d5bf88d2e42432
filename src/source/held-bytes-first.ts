import { concatBytes } from './concat-bytes.js';
import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

/** What can answer a read from memory alone: the metadata block cache. */
export interface HeldBytes {
  readonly blockSize: number;
  peek(offset: number, length: number): Uint8Array | undefined;
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
    const whole = this.#held.peek(offset, length);
    if (whole) return whole;
    const end = offset + length;
    const from = this.#heldFrom(offset, end);
    const to = this.#heldTo(offset, from);
    if (to === offset && from === end) return this.inner.read(offset, length, opts);
    // Taken before the request goes out: the cache may let them go meanwhile.
    const head = to > offset ? this.#held.peek(offset, to - offset)! : new Uint8Array(0);
    const tail = from < end ? this.#held.peek(from, end - from)! : new Uint8Array(0);
    const middle = from > to ? await this.inner.read(to, from - to, opts) : new Uint8Array(0);
    return concatBytes([head, middle, tail]);
  }

  /** Where the held run that reaches `end` starts (`end` itself when its last block is not held), not below `offset`. */
  #heldFrom(offset: number, end: number): number {
    let from = end;
    while (from > offset) {
      const start = Math.max(offset, (Math.ceil(from / this.#held.blockSize) - 1) * this.#held.blockSize);
      if (!this.#held.peek(start, from - start)) break;
      from = start;
    }
    return from;
  }

  /** Where the held run that starts at `offset` ends (`offset` itself when its first block is not held), not past `limit`. */
  #heldTo(offset: number, limit: number): number {
    let to = offset;
    while (to < limit) {
      const stop = Math.min(limit, (Math.floor(to / this.#held.blockSize) + 1) * this.#held.blockSize);
      if (!this.#held.peek(to, stop - to)) break;
      to = stop;
    }
    return to;
  }
}
