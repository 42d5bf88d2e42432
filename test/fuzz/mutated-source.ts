import { outOfBounds, type RangeSource, type ReadOptions } from '../../src/source/range-source.js';

/**
 * A fixture seen through a set of byte patches and an optional truncation, without copying the file:
 * thousands of mutants of a 45 MB slide cost nothing.
 */
export class MutatedSource implements RangeSource {
  readonly id: string;
  readonly #base: Uint8Array;
  readonly #patches: Map<number, number>;
  readonly #size: number;

  constructor(base: Uint8Array, patches: Map<number, number>, size = base.length, id = 'mutant') {
    this.#base = base;
    this.#patches = patches;
    this.#size = size;
    this.id = id;
  }

  async size(): Promise<number> {
    return this.#size;
  }

  async read(offset: number, length: number, _opts?: ReadOptions): Promise<Uint8Array> {
    if (offset + length > this.#size) throw outOfBounds(this.id, offset, length, this.#size);
    const out = this.#base.slice(offset, offset + length);
    for (const [at, value] of this.#patches) if (at >= offset && at < offset + length) out[at - offset] = value;
    return out;
  }
}
