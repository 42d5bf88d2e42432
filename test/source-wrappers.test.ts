import { describe, expect, it } from 'vitest';
import { BlockCache, CoalescingSource, MemorySource, MetricsSource, PersistentCache, PrefetchedSource, type RangeSource } from '../src/index.js';
import { HeldBytesFirst } from '../src/source/held-bytes-first.js';
import { slideSources } from '../src/slide/slide-io.js';

/** An object whose version changes, as an HTTP object's ETag does when it is replaced; and that counts closes. */
class VersionedSource extends MemorySource {
  version = 'v1';
  closed = 0;
  async close(): Promise<void> {
    this.closed++;
  }
}

const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
const wrappers: Array<[string, (inner: RangeSource) => RangeSource]> = [
  ['MetricsSource', (inner) => new MetricsSource(inner)],
  ['CoalescingSource', (inner) => new CoalescingSource(inner)],
  ['BlockCache', (inner) => new BlockCache(inner)],
  ['PersistentCache', (inner) => new PersistentCache(inner)],
  ['PrefetchedSource', (inner) => new PrefetchedSource(inner, 0, data.slice(0, 10))],
  ['HeldBytesFirst', (inner) => new HeldBytesFirst({ peek: () => undefined, heldUntil: (offset) => offset, heldFrom: (_, end) => end }, inner)],
];

describe('every wrapper passes on what it does not change', () => {
  for (const [name, wrap] of wrappers) {
    it(`${name}: id, size, version (live) and close`, async () => {
      const inner = new VersionedSource(data, 'slide-id');
      const wrapped = wrap(inner);
      expect([wrapped.id, await wrapped.size(), wrapped.version]).toEqual(['slide-id', 1000, 'v1']);
      inner.version = 'v2';
      expect(wrapped.version).toBe('v2');
      expect(await wrapped.read(100, 4)).toEqual(data.slice(100, 104));
      await wrapped.close?.();
      expect(inner.closed).toBe(1);
    });
  }

  it("the whole stack a slide reads through tells the object's version to the persistent cache and above", () => {
    const inner = new VersionedSource(data, 'slide-id');
    const sources = slideSources(inner, { persistentCache: true });
    expect([sources.meta.version, sources.data.version]).toEqual(['v1', 'v1']);
  });
});
