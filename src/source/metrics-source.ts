import type { RangeSource, ReadOptions } from './range-source.js';
import { SourceWrapper } from './source-wrapper.js';

export interface RequestMetrics {
  requests: number;
  bytes: number;
  /** Every range read, in order, when the source was made with `{ log: true }` (tests); empty otherwise, so a long session does not grow it. */
  log: Array<{ offset: number; length: number }>;
}

/** Counts the reads that reach the wrapped source. Stack it directly over the network source to count requests. */
export class MetricsSource extends SourceWrapper {
  readonly metrics: RequestMetrics = { requests: 0, bytes: 0, log: [] };
  readonly #keepLog: boolean;

  constructor(inner: RangeSource, options: { log?: boolean } = {}) {
    super(inner);
    this.#keepLog = options.log ?? false;
  }

  async read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    this.metrics.requests++;
    if (this.#keepLog) this.metrics.log.push({ offset, length });
    const bytes = await this.inner.read(offset, length, opts);
    this.metrics.bytes += bytes.length;
    return bytes;
  }

  reset(): void {
    this.metrics.requests = 0;
    this.metrics.bytes = 0;
    this.metrics.log = [];
  }
}
