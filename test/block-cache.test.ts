import { describe, expect, it } from 'vitest';
import { BlockCache, MemorySource, MetricsSource, SlideError, type RangeSource } from '../src/index.js';
import { GatedSource } from './support/gated-source.js';
import { HeldBytesFirst } from '../src/source/held-bytes-first.js';

function bytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
}

function stack(size: number, options = {}) {
  const data = bytes(size);
  const metrics = new MetricsSource(new MemorySource(data), { log: true });
  return { data, metrics, cache: new BlockCache(metrics, { blockSize: 100, ...options }) };
}

describe('BlockCache', () => {
  it('returns exactly the bytes asked for, across block boundaries and at the short last block', async () => {
    const { data, cache } = stack(1050);
    for (const [o, l] of [
      [0, 1],
      [95, 10],
      [250, 300],
      [1000, 50],
      [1049, 1],
      [0, 1050],
    ] as const) {
      expect(await cache.read(o, l)).toEqual(data.slice(o, o + l));
    }
  });

  it('never fetches a cached block again', async () => {
    const { metrics, cache } = stack(1000);
    await cache.read(120, 50);
    await cache.read(130, 60);
    await cache.read(100, 100);
    expect(metrics.metrics.requests).toBe(1);
    expect(metrics.metrics.log).toEqual([{ offset: 100, length: 100 }]);
  });

  it('fetches one run of adjacent missing blocks as one request, around cached ones', async () => {
    const { metrics, cache } = stack(1000, { mergeGapBlocks: 0 });
    await cache.read(300, 100);
    metrics.reset();
    await cache.read(0, 600);
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 300 },
      { offset: 400, length: 200 },
    ]);
  });

  it('merges misses of concurrent reads in the same tick, bridging small uncached gaps', async () => {
    const { metrics, cache } = stack(2000, { mergeGapBlocks: 2 });
    await Promise.all([cache.read(10, 5), cache.read(310, 5), cache.read(1500, 5)]);
    // Blocks 0 and 3 are bridged (gap of 2 blocks); block 15 is too far and gets its own request.
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 400 },
      { offset: 1500, length: 100 },
    ]);
    metrics.reset();
    await cache.read(100, 200);
    expect(metrics.metrics.requests).toBe(0);
  });

  it('shares one request between concurrent readers of the same block', async () => {
    const gated = new GatedSource(new MemorySource(bytes(1000)));
    const cache = new BlockCache(gated, { blockSize: 100 });
    const a = cache.read(10, 10);
    const b = cache.read(50, 10);
    await new Promise((r) => setTimeout(r, 0));
    expect(gated.reads.length).toBe(1);
    gated.release();
    expect((await a).length + (await b).length).toBe(20);
  });

  it('bounds memory by bytes, evicting the least recently used block', async () => {
    const { metrics, cache } = stack(1000, { maxBytes: 300, mergeGapBlocks: 0 });
    await cache.read(0, 1);
    await cache.read(200, 1);
    await cache.read(400, 1);
    await cache.read(0, 1); // touch block 0: block 2 is now the oldest
    await cache.read(600, 1);
    metrics.reset();
    await cache.read(0, 1);
    await cache.read(400, 1);
    await cache.read(600, 1);
    expect(metrics.metrics.requests).toBe(0);
    await cache.read(200, 1);
    expect(metrics.metrics.requests).toBe(1);
  });

  it('aborts the shared request only when every reader has aborted', async () => {
    const gated = new GatedSource(new MemorySource(bytes(1000)));
    const cache = new BlockCache(gated, { blockSize: 100 });
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.read(0, 10, { signal: first.signal });
    const b = cache.read(0, 10, { signal: second.signal });
    await new Promise((r) => setTimeout(r, 0));
    first.abort();
    await expect(a).rejects.toMatchObject({ code: 'aborted' });
    expect(gated.reads[0]!.signal!.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toMatchObject({ code: 'aborted' });
    expect(gated.reads[0]!.signal!.aborted).toBe(true);
    // A later read of the block starts a fresh request instead of inheriting the aborted one.
    const c = cache.read(0, 10);
    await new Promise((r) => setTimeout(r, 0));
    gated.release();
    expect((await c).length).toBe(10);
  });

  it('passes source errors to every waiter and retries on the next read', async () => {
    let fail = true;
    const inner = new MemorySource(bytes(500));
    const flaky: RangeSource = {
      id: 'flaky',
      size: () => inner.size(),
      read: (o, l, opts) => (fail ? Promise.reject(new SlideError('http_503', 'down')) : inner.read(o, l, opts)),
    };
    const cache = new BlockCache(flaky, { blockSize: 100 });
    const results = await Promise.allSettled([cache.read(0, 10), cache.read(5, 10)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await cache.read(0, 10)).length).toBe(10);
  });

  it('refuses reads past the end and nonsense ranges with typed errors', async () => {
    const { cache } = stack(100);
    await expect(cache.read(90, 20)).rejects.toMatchObject({ code: 'read_past_end' });
    await expect(cache.read(-1, 2)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(cache.read(0.5, 2)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('HeldBytesFirst: tile reads answered from blocks the metadata cache already holds', () => {
  it('serves a range inside held blocks from memory and anything else from the source, without touching the cache order', async () => {
    const { data, metrics, cache } = stack(1000);
    await cache.read(200, 250); // blocks 2, 3 and 4 are held now
    const reads = metrics.metrics.requests;
    const tiles = new HeldBytesFirst(cache, metrics);
    expect(await tiles.read(210, 180)).toEqual(data.slice(210, 390));
    expect(metrics.metrics.requests).toBe(reads);
    expect(cache.stats.hits + cache.stats.misses).toBe(3);
    // Partly outside the held blocks: the held end from memory, one exact read of the rest, nothing cached by it.
    expect(await tiles.read(450, 100)).toEqual(data.slice(450, 550));
    expect(metrics.metrics.log.at(-1)).toEqual({ offset: 500, length: 50 });
    expect(cache.peek(500, 10)).toBeUndefined();
  });

  it('asks the source only for what is not held at either end of a read (an Aperio thumbnail running into the tail read)', async () => {
    const { data, metrics, cache } = stack(1000);
    await cache.read(200, 300); // blocks 2, 3 and 4: 200–499
    const tiles = new HeldBytesFirst(cache, metrics);
    expect(await tiles.read(120, 200)).toEqual(data.slice(120, 320));
    expect(metrics.metrics.log.at(-1)).toEqual({ offset: 120, length: 80 });
    // Held in the middle only: trimming the ends saves nothing, so the read goes out whole.
    expect(await tiles.read(150, 400)).toEqual(data.slice(150, 550));
    expect(metrics.metrics.log.at(-1)).toEqual({ offset: 150, length: 400 });
    expect(await tiles.read(700, 100)).toEqual(data.slice(700, 800));
    expect(metrics.metrics.log.at(-1)).toEqual({ offset: 700, length: 100 });
  });
});
