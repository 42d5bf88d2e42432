import { describe, expect, it } from 'vitest';
import { CoalescingSource, MemorySource, MetricsSource } from '../src/index.js';
import { ROUND_TRIP_BYTES } from '../src/source/round-trip-bytes.js';
import { GatedSource } from './support/gated-source.js';

const data = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 13) & 0xff);

/** Reads the ranges at once and checks that each caller got exactly its bytes. */
async function readAll(source: CoalescingSource, reads: ReadonlyArray<readonly [number, number]>): Promise<void> {
  const results = await Promise.all(reads.map(([o, l]) => source.read(o, l)));
  for (const [i, bytes] of results.entries()) expect(bytes).toEqual(data.slice(reads[i]![0], reads[i]![0] + reads[i]![1]));
}

function stack(options = {}) {
  const metrics = new MetricsSource(new MemorySource(data), { log: true });
  return { metrics, source: new CoalescingSource(metrics, options) };
}

describe('CoalescingSource', () => {
  it('merges concurrent reads of touching ranges into one request and gives each caller its bytes', async () => {
    const { metrics, source } = stack();
    const reads = [
      [1000, 100],
      [1100, 50],
      [1150, 200],
      [5000, 10],
    ] as const;
    await readAll(source, reads);
    expect(metrics.metrics.log).toEqual([
      { offset: 1000, length: 350 },
      { offset: 5000, length: 10 },
    ]);
    expect(source.stats).toMatchObject({ reads: 4, requests: 2, gapBytes: 0 });
  });

  it('hands the callers of one merged request their bytes one task apart, so their work never makes one long task', async () => {
    const { metrics, source } = stack();
    const reads = [source.read(0, 10), source.read(10, 10), source.read(20, 10)];
    const settled: number[] = [];
    reads.forEach((r, i) => void r.then(() => settled.push(i)));
    await reads[0];
    // However many microtasks run after the first caller's continuation, the next one waits for a task of its own.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(settled).toEqual([0]);
    await Promise.all(reads);
    expect(settled).toEqual([0, 1, 2]);
    expect(metrics.metrics.log).toHaveLength(1);
  });

  it('bridges gaps up to maxGap, and never beyond maxBytes', async () => {
    // No limit on the gaps' share here: this is about maxGap and maxBytes alone.
    const { metrics, source } = stack({ maxGap: 100, maxBytes: 300, maxGapShare: Number.POSITIVE_INFINITY });
    await Promise.all([source.read(0, 100), source.read(150, 100), source.read(260, 100)]);
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 250 },
      { offset: 260, length: 100 },
    ]);
    expect(source.stats.gapBytes).toBe(50);
  });

  it('bridges no gap by default: a gap may be bytes a cache above already holds', async () => {
    const { metrics, source } = stack();
    await Promise.all([source.read(0, 1000), source.read(1001, 1000)]);
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 1000 },
      { offset: 1001, length: 1000 },
    ]);
  });

  it('bridges a gap while it stays within a tenth of the bytes asked for', async () => {
    const { metrics, source } = stack({ maxGap: ROUND_TRIP_BYTES });
    // Three 1,000-byte tiles: 100 bytes between the first two (5% of 2,000 asked), then 250 before the third
    // (350 of 3,000: 11.7%): the third gets a request of its own.
    const reads = [
      [0, 1000],
      [1100, 1000],
      [2350, 1000],
    ] as const;
    await readAll(source, reads);
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 2100 },
      { offset: 2350, length: 1000 },
    ]);
    expect(source.stats).toMatchObject({ reads: 3, requests: 2, gapBytes: 100 });
  });

  it('counts overlapping reads once in the bytes asked for', async () => {
    const { metrics, source } = stack({ maxGap: ROUND_TRIP_BYTES });
    // 1,000 bytes asked (two reads of the same range), 101 bytes of gap: 10.1%, not bridged.
    await Promise.all([source.read(0, 1000), source.read(0, 1000), source.read(1101, 1)]);
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 1000 },
      { offset: 1101, length: 1 },
    ]);
  });

  it('never bridges more than maxGap, however much comes with it, nor more than a round trip is worth', async () => {
    const { metrics, source } = stack({ maxGap: 99 });
    await Promise.all([source.read(0, 5000), source.read(5100, 4000)]);
    expect(metrics.metrics.log).toEqual([
      { offset: 0, length: 5000 },
      { offset: 5100, length: 4000 },
    ]);
    const big = new Uint8Array(12 * 1024 * 1024);
    const bigMetrics = new MetricsSource(new MemorySource(big), { log: true });
    const capped = new CoalescingSource(bigMetrics, { maxGap: 2 * ROUND_TRIP_BYTES, maxGapShare: 1, maxBytes: big.length });
    const gap = ROUND_TRIP_BYTES + 1;
    await Promise.all([capped.read(0, 4 * 1024 * 1024), capped.read(4 * 1024 * 1024 + gap, 1024)]);
    expect(bigMetrics.metrics.log).toHaveLength(2);
  });

  it('keeps the merged request for the callers that still want it when one aborts mid-flight', async () => {
    const gated = new GatedSource(new MemorySource(data));
    const source = new CoalescingSource(gated);
    const a = new AbortController();
    const first = source.read(0, 10, { signal: a.signal });
    const second = source.read(10, 10);
    await gated.until(1);
    expect(gated.reads).toMatchObject([{ offset: 0, length: 20 }]);
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    expect(gated.reads[0]!.signal!.aborted).toBe(false);
    gated.release();
    expect(await second).toEqual(data.slice(10, 20));
  });

  it('aborts the merged request once every caller has aborted', async () => {
    const gated = new GatedSource(new MemorySource(data));
    const source = new CoalescingSource(gated);
    const [a, b] = [new AbortController(), new AbortController()];
    const reads = [source.read(100, 10, { signal: a.signal }), source.read(110, 10, { signal: b.signal })];
    await gated.until(1);
    a.abort();
    expect(gated.reads[0]!.signal!.aborted).toBe(false);
    b.abort();
    expect(gated.reads[0]!.signal!.aborted).toBe(true);
    for (const read of reads) await expect(read).rejects.toMatchObject({ code: 'aborted' });
  });
});
