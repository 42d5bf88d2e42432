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
