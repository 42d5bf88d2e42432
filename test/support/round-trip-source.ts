import type { RangeSource, ReadOptions } from '../../src/source/range-source.js';

/** Timer turns with no new read before a round is answered: the coalescer above waits one (setTimeout 0). */
const QUIET_TURNS = 3;

/**
 * A source that answers reads in rounds, as a network with latency does: every read issued while a round is being
 * gathered goes out with it, and reads that a round's answers lead to make the next round. `rounds` is then the
 * number of round trips a reader needed, whatever the clock: a round is answered only when the event loop has
 * gone quiet, so what counts is what depends on what. `log` keeps each round's ranges.
 */
export class RoundTripSource implements RangeSource {
  readonly id: string;
  readonly log: Array<Array<{ offset: number; length: number }>> = [];
  readonly #inner: RangeSource;
  #gathering: Array<() => void> = [];
  #quiet = 0;
  #scheduled = false;

  constructor(inner: RangeSource) {
    this.#inner = inner;
    this.id = inner.id;
  }

  get rounds(): number {
    return this.log.length;
  }

  size(opts?: ReadOptions): Promise<number> {
    return this.#inner.size(opts);
  }

  read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#gathering.push(() => {
        this.log.at(-1)!.push({ offset, length });
        this.#inner.read(offset, length, opts).then(resolve, reject);
      });
      this.#quiet = 0;
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#turn(), 0);
  }

  #turn(): void {
    this.#scheduled = false;
    if (++this.#quiet < QUIET_TURNS) return this.#schedule();
    const round = this.#gathering;
    this.#gathering = [];
    this.log.push([]);
    for (const send of round) send();
  }
}
