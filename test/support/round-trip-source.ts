import type { RangeSource, ReadOptions } from '../../src/source/range-source.js';

/** Timer turns with no new read before a round is answered: the coalescer above waits one (setTimeout 0). */
const QUIET_TURNS = 3;

/**
 * A source that answers reads in rounds, as a network with latency does: every read issued while a round is being
 * gathered goes out with it, and reads that a round's answers lead to make the next round. `rounds` is then the
 * number of round trips a reader needed, whatever the clock: a round is answered only when the event loop has
 * gone quiet and every answer of the round before is in, so what counts is what depends on what. `log` keeps each
 * round's ranges.
 */
export class RoundTripSource implements RangeSource {
  readonly id: string;
  readonly log: Array<Array<{ offset: number; length: number }>> = [];
  readonly #inner: RangeSource;
  #gathering: Array<() => void> = [];
  /** Reads of the last round whose answers have not come yet: a file's reads take a while. */
  #inFlight = 0;
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

  /** Closing the slide closes the file below (a Node file handle left to the GC is a deprecation warning). */
  async close(): Promise<void> {
    await this.#inner.close?.();
  }

  read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#gathering.push(() => {
        this.log.at(-1)!.push({ offset, length });
        this.#inFlight++;
        this.#inner
          .read(offset, length, opts)
          .then(resolve, reject)
          .finally(() => {
            this.#inFlight--;
            this.#quiet = 0;
            if (this.#gathering.length > 0) this.#schedule();
          });
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
    // The next round goes out once every answer of this one is in and its consequences have settled.
    if (this.#inFlight > 0) return;
    if (++this.#quiet < QUIET_TURNS) {
      this.#schedule();
      return;
    }
    const round = this.#gathering;
    this.#gathering = [];
    this.log.push([]);
    for (const send of round) send();
  }
}
