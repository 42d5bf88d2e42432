import { abortError } from '../errors.js';

/**
 * Runs tasks on one worker, `depth` at a time, until `until` settles; then those left, and any after, on whichever
 * worker is free. The home view's WASM decodes run this way while OpenSeadragon builds and draws its first frame: on
 * two cores the page keeps one. Two at a time rather than one: a worker's answer passes through the main thread
 * before the next task is sent, and given one task at a time the worker sat idle while OpenSeadragon held the main
 * thread (30–70 ms between the 33005 fixture's first tile and its second on cold loads); with a second task waiting in
 * its queue it goes straight on, still on one core.
 */
export class OneWorkerUntil {
  readonly #depth: number;
  #open = false;
  #running = 0;
  /** Starts of the tasks waiting for a turn, in order. */
  readonly #waiting: Array<() => void> = [];

  constructor(until: Promise<unknown>, depth = 2) {
    this.#depth = depth;
    const open = () => {
      this.#open = true;
      for (const start of this.#waiting.splice(0)) start();
    };
    until.then(open, open);
  }

  /** `task`'s result; `task` is given the worker to run on (0), or undefined once `until` has settled (any worker). */
  run<T>(task: (worker: number | undefined) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#open) return task(undefined);
    if (this.#running < this.#depth) return this.#start(task);
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.#open ? task(undefined) : this.#start(task));
      };
      // One aborted while it waits leaves the queue: it never holds a turn.
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(start), 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(start);
    });
  }

  #start<T>(task: (worker: number | undefined) => Promise<T>): Promise<T> {
    this.#running++;
    const result = Promise.resolve().then(() => task(0));
    const done = () => {
      this.#running--;
      if (!this.#open && this.#running < this.#depth) this.#waiting.shift()?.();
    };
    result.then(done, done);
    return result;
  }
}
