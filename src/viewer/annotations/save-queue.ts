import { SlideError } from '../../errors.js';
import type { Annotation } from '../../annotations/types.js';
import type { AnnotationStorage } from './annotation-storage.js';

export type SaveOperation = { kind: 'added' | 'changed'; annotations: readonly Annotation[] } | { kind: 'removed'; ids: readonly string[] };

export interface SaveQueueEvents {
  /** A change could not be saved: `retrying` says whether it will be sent again (network, server errors) or was given up (refused). */
  failed(error: SlideError, retrying: boolean): void;
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** Whether sending the change again may succeed: not for a request the server refused as wrong or forbidden. */
function retryable(error: SlideError): boolean {
  if (error.code === 'network') return true;
  const status = /^http_(\d+)$/.exec(error.code)?.[1];
  return status !== undefined && (Number(status) >= 500 || status === '408' || status === '429');
}

/**
 * Sends changes to the storage one at a time, in the order they were made (a create before its update), retrying
 * what failed for a reason that may pass (the network, a restarting server) until it is saved.
 */
export class SaveQueue {
  readonly #storage: AnnotationStorage;
  readonly #events: SaveQueueEvents;
  readonly #ops: SaveOperation[] = [];
  #running: Promise<void> | undefined;

  constructor(storage: AnnotationStorage, events: SaveQueueEvents) {
    this.#storage = storage;
    this.#events = events;
  }

  get pending(): number {
    return this.#ops.length;
  }

  push(op: SaveOperation): void {
    this.#ops.push(op);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when every change made so far is saved (or given up). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    // A microtask's delay: changes made in the same task (an import, a drag's end) go out together.
    await Promise.resolve();
    for (let attempt = 0; this.#ops.length; ) {
      // Storage that saves the whole list saves every queued change at once.
      const op = this.#storage.wholeList ? this.#ops.at(-1)! : this.#ops[0]!;
      const taken = this.#storage.wholeList ? this.#ops.length : 1;
      try {
        if (op.kind === 'removed') await this.#storage.removed(op.ids);
        else await this.#storage[op.kind](op.annotations);
        this.#ops.splice(0, taken);
        attempt = 0;
      } catch (e) {
        const error = SlideError.is(e) ? e : new SlideError('network', `Saving annotations failed: ${(e as Error).message}`, { cause: e });
        const again = retryable(error);
        this.#events.failed(error, again);
        if (!again) {
          this.#ops.splice(0, taken);
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]));
      }
    }
  }
}
