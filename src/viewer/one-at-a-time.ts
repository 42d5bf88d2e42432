import { abandonOnAbort } from '../source/shared-abort.js';

/**
 * Runs tasks one after another until `until` settles, then all that are left at once: the home view's WASM decodes
 * while OpenSeadragon builds and draws its first frame, on one worker at a time, so that on two cores the page keeps one.
 */
export class OneAtATimeUntil {
  readonly #until: Promise<unknown>;
  #previous: Promise<unknown> = Promise.resolve();

  constructor(until: Promise<unknown>) {
    this.#until = until.then(
      () => undefined,
      () => undefined,
    );
  }

  /** `task`'s result, the task started once the one given before it has ended or `until` has settled. */
  run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const turn = Promise.race([this.#until, this.#previous]);
    const result = abandonOnAbort(turn, signal).then(task);
    // The next waits for this one's turn and then its end: one aborted while it waits passes its turn on when it comes,
    // not at once, while the one before it still runs.
    this.#previous = turn
      .then(() => result)
      .then(
        () => undefined,
        () => undefined,
      );
    return result;
  }
}
