import { SlideError, abortError } from '../errors.js';

export interface RetryOptions {
  /** Tries per read, the first included (default 4); 1 turns retrying off. */
  attempts?: number;
  /** First back-off ceiling in ms, doubled per retry (default 250). */
  baseDelayMs?: number;
  /** Largest back-off in ms (default 4,000). */
  maxDelayMs?: number;
}

/** Failures that a later try can cure: a server hiccup, a cut or stalled connection, rate limiting. */
export function isTransientCode(code: string): boolean {
  if (code === 'network' || code === 'truncated') return true;
  const status = /^http_(\d{3})$/.exec(code)?.[1];
  return status !== undefined && (status === '429' || status === '408' || status.startsWith('5'));
}

export function isTransient(error: unknown): boolean {
  return SlideError.is(error) && isTransientCode(error.code);
}

/** "Full jitter" exponential back-off: many viewers failing together do not come back together. */
export function backoffDelay(retry: number, options: RetryOptions = {}): number {
  const ceiling = Math.min(options.maxDelayMs ?? 4_000, (options.baseDelayMs ?? 250) * 2 ** retry);
  return Math.random() * ceiling;
}

/** Waits, or rejects with `aborted` as soon as the signal fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, source: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, source));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!, source));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
