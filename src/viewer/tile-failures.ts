import { isTransientCode } from '../source/retry.js';

export interface TileFailureOptions {
  /** Pause before a tile lost to the network (after the source's own retries) is asked for again (ms). */
  retryMs: number;
  /** Times a tile lost with a crashed decode worker is asked for again: at once, since the pool has replaced the worker. */
  workerRetries: number;
}

/**
 * What the viewer does about tiles that failed: which to ask for again and after how long, and whether the
 * banner shows. Pure bookkeeping — no timers, no DOM, no OpenSeadragon — so every transition is unit-tested;
 * createViewer turns its answers into timers and the banner.
 *
 * - A network failure (5xx, 429, reset, timeout, truncated body) is retried after `retryMs`, for as long as it
 *   lasts; it stops counting once the tile loads, or once the view has settled without needing it.
 * - A worker crash is retried at once, `workerRetries` times; a tile that kills every worker is then given up.
 * - Anything else (a damaged tile, a replaced file) is permanent: not retried, and the banner stays.
 */
export class TileFailures {
  readonly #options: TileFailureOptions;
  /** Tiles that failed and have not loaded since, and whether the network was to blame. */
  readonly #failing = new Map<string, boolean>();
  /** Delays decided when a failure was reported, taken when OpenSeadragon gives the tile up. */
  readonly #planned = new Map<string, number>();
  readonly #workerTries = new Map<string, number>();
  /** Retries scheduled and not yet due. */
  #waiting = 0;

  constructor(options: TileFailureOptions) {
    this.#options = options;
  }

  /** Whether the banner should show: some tile failed and has neither loaded since nor stopped mattering. */
  get bannerVisible(): boolean {
    return this.#failing.size > 0;
  }

  /** Whether a retry is waiting for its time. */
  get retryWaiting(): boolean {
    return this.#waiting > 0;
  }

  /** A tile failed with this error code. */
  failed(key: string, code: string): void {
    const delay = this.#delayFor(key, code);
    this.#failing.set(key, delay !== undefined);
    if (delay !== undefined) this.#planned.set(key, delay);
  }

  /** OpenSeadragon gave the tile up: the pause before asking for it again, or undefined to leave it failed. Asked once per failure. */
  takeRetry(key: string): number | undefined {
    const delay = this.#planned.get(key);
    this.#planned.delete(key);
    if (delay !== undefined) this.#waiting++;
    return delay;
  }

  /** A retry's pause is over (its tile is wanted again, or the viewer is going away). */
  retryDue(): void {
    this.#waiting = Math.max(0, this.#waiting - 1);
  }

  /** A tile loaded: it no longer counts as failing. */
  loaded(key: string): void {
    this.#failing.delete(key);
  }

  /**
   * The view has every tile it needs: network failures (retried since, or no longer needed) are history, unless
   * a retry is still waiting. A permanent failure stays.
   */
  viewComplete(): void {
    if (this.#waiting > 0) return;
    for (const [key, transient] of this.#failing) if (transient) this.#failing.delete(key);
  }

  #delayFor(key: string, code: string): number | undefined {
    if (isTransientCode(code)) return this.#options.retryMs;
    if (code !== 'worker_failed') return undefined;
    // The pool has already replaced the worker; but it may be the tile that kills workers.
    const tries = this.#workerTries.get(key) ?? 0;
    if (tries >= this.#options.workerRetries) return undefined;
    this.#workerTries.set(key, tries + 1);
    return 0;
  }
}
