import { abortError } from '../../src/errors.js';
import type { RangeSource, ReadOptions } from '../../src/source/range-source.js';

export interface HeldRead {
  offset: number;
  length: number;
  /** The signal the wrapped source was handed: what tells whether a shared request was really aborted. */
  signal: AbortSignal | undefined;
}

/**
 * A source whose reads wait until the test lets them go, and fail as `aborted` when their signal fires, as a
 * network source does: so a test can abort a caller while a request is in flight and look at that request.
 */
export class GatedSource implements RangeSource {
  readonly id: string;
  readonly reads: HeldRead[] = [];
  readonly #inner: RangeSource;
  #gates: Array<() => void> = [];

  constructor(inner: RangeSource) {
    this.#inner = inner;
    this.id = inner.id;
  }

  size(opts?: ReadOptions): Promise<number> {
    return this.#inner.size(opts);
  }

  read(offset: number, length: number, opts: ReadOptions = {}): Promise<Uint8Array> {
    const { signal } = opts;
    this.reads.push({ offset, length, signal });
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal, this.id));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#gates.push(() => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return;
        this.#inner.read(offset, length).then(resolve, reject);
      });
    });
  }

  /** Lets every read held so far go on. */
  release(): void {
    const gates = this.#gates;
    this.#gates = [];
    for (const go of gates) go();
  }

  /** Resolves once `count` reads have reached this source. */
  async until(count: number): Promise<void> {
    while (this.reads.length < count) await new Promise((r) => setTimeout(r, 1));
  }
}
