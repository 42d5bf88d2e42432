import { abortError, SlideError, throwIfAborted } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import { abandonOnAbort, SharedAbort } from '../source/shared-abort.js';
import type { FrameBytes } from './instance-reader.js';

/** Frames per request: a view's frames of one instance fit, and the URL stays short (a frame list is a few bytes each). */
const MAX_FRAMES = 64;

interface Waiter {
  frame: number;
  signal: AbortSignal | undefined;
  resolve(frame: FrameBytes): void;
  reject(error: unknown): void;
}

/**
 * Gathers the frames of one instance asked for in the same task (a viewport's tiles) into one WADO-RS request for all
 * of them (`…/frames/3,4,9`): a round trip for the view instead of one per frame, on HTTP/1.1's six connections. The
 * request is aborted only when every frame in it is no longer wanted.
 */
export class FrameBatcher {
  readonly #fetch: (frames: number[], signal: AbortSignal) => Promise<FrameBytes[]>;
  readonly #source: string;
  #pending: Waiter[] = [];

  /** `fetch` gets 0-based frame numbers and answers their bytes in the same order. */
  constructor(fetch: (frames: number[], signal: AbortSignal) => Promise<FrameBytes[]>, source: string) {
    this.#fetch = fetch;
    this.#source = source;
  }

  read(frame: number, opts: ReadOptions = {}): Promise<FrameBytes> {
    throwIfAborted(opts.signal, this.#source);
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setTimeout(() => this.#flush(), 0);
      this.#pending.push({ frame, signal: opts.signal, resolve, reject });
    });
  }

  #flush(): void {
    const waiting = this.#pending.filter((w) => !w.signal?.aborted);
    for (const w of this.#pending) if (w.signal?.aborted) w.reject(abortError(w.signal, this.#source));
    this.#pending = [];
    const frames = [...new Set(waiting.map((w) => w.frame))].sort((a, b) => a - b);
    for (let i = 0; i < frames.length; i += MAX_FRAMES) {
      const batch = frames.slice(i, i + MAX_FRAMES);
      const members = waiting.filter((w) => batch.includes(w.frame));
      const shared = new SharedAbort();
      for (const w of members) shared.join(w.signal);
      const answer = this.#fetch(batch, shared.signal).then((parts) => {
        if (parts.length < batch.length) {
          throw new SlideError('corrupt', `${this.#source}: the DICOMweb server answered ${parts.length} frames for ${batch.length} asked for.`, {
            source: this.#source,
          });
        }
        return parts;
      });
      answer.catch(() => undefined);
      for (const w of members) abandonOnAbort(answer, w.signal, this.#source).then((parts) => w.resolve(parts[batch.indexOf(w.frame)]!), w.reject);
    }
  }
}
