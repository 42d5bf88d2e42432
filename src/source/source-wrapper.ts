import type { RangeSource, ReadOptions } from './range-source.js';

/**
 * The base of every wrapper (caches, metrics, merging): what a wrapper does not change — identity, size,
 * version and close — passes to the source below here, once, so no wrapper can forget one. A forgotten
 * `version` used to disable the persistent cache's invalidation silently.
 */
export abstract class SourceWrapper implements RangeSource {
  readonly id: string;
  protected readonly inner: RangeSource;

  constructor(inner: RangeSource) {
    this.inner = inner;
    this.id = inner.id;
  }

  get version(): string | undefined {
    return this.inner.version;
  }

  size(opts?: ReadOptions): Promise<number> {
    return this.inner.size(opts);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  abstract read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array>;
}
