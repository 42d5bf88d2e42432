import { abortError } from '../errors.js';

/**
 * One piece of work shared by several callers (a merged request, a tile wanted twice): its signal aborts
 * only once every caller that joined has aborted. Callers without a signal keep it alive for good.
 */
export class SharedAbort {
  readonly #controller = new AbortController();
  #waiting = 0;
  #pinned = false;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  join(signal: AbortSignal | undefined): void {
    if (!signal) {
      this.#pinned = true;
      return;
    }
    this.#waiting++;
    const leave = () => {
      if (--this.#waiting === 0 && !this.#pinned) this.#controller.abort();
    };
    if (signal.aborted) leave();
    else signal.addEventListener('abort', leave, { once: true });
  }
}

/** Settles as `work` does, or rejects with `aborted` as soon as `signal` fires, without waiting for work others may still want. */
export function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, source?: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortError(signal, source));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, source));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Work started once and awaited by any number of callers, each with its own signal: a caller that aborts
 * is rejected at once, and the work itself is aborted only when every caller has gone. (Binding shared work
 * to the first caller's signal fails everyone else when that one caller leaves.)
 */
export class SharedTask<T> {
  readonly promise: Promise<T>;
  readonly #abort = new SharedAbort();

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.#abort.signal);
    // A task every caller left must not surface as an unhandled rejection.
    this.promise.catch(() => undefined);
  }

  join(signal: AbortSignal | undefined, source?: string): Promise<T> {
    this.#abort.join(signal);
    return abandonOnAbort(this.promise, signal, source);
  }
}
