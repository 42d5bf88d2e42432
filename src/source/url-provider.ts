import { throwIfAborted } from '../errors.js';

/** A URL that stops working at some point: a presigned S3 URL, a sidecar's signed link. */
export interface ExpiringUrl {
  url: string;
  /** Epoch milliseconds after which the URL is refused; omit for URLs that do not expire. */
  expiresAt?: number;
}

export type UrlFetcher = (signal?: AbortSignal) => Promise<ExpiringUrl | string>;

export interface UrlProvider {
  get(signal?: AbortSignal): Promise<string>;
  /** Forgets the current URL (after a 403), so the next `get` asks for a fresh one. */
  invalidate(): void;
}

/**
 * Caches a URL from the app's fetcher until shortly before it expires, then asks again. Concurrent callers
 * share one fetch, so a viewport of tiles triggers one renewal, not one per tile.
 */
export class CachedUrl implements UrlProvider {
  readonly #fetch: UrlFetcher;
  readonly #marginMs: number;
  #current?: Promise<ExpiringUrl>;

  constructor(fetcher: UrlFetcher, options: { marginMs?: number } = {}) {
    this.#fetch = fetcher;
    this.#marginMs = options.marginMs ?? 30_000;
  }

  async get(signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    let current = this.#current;
    if (current) {
      const { expiresAt } = await current;
      if (expiresAt !== undefined && expiresAt - this.#marginMs <= Date.now()) current = undefined;
    }
    if (!current) {
      current = this.#fetch(signal).then((u) => (typeof u === 'string' ? { url: u } : u));
      this.#current = current;
      current.catch(() => {
        if (this.#current === current) this.#current = undefined;
      });
    }
    return (await current).url;
  }

  invalidate(): void {
    this.#current = undefined;
  }
}
