import { describe, expect, it } from 'vitest';
import { Ifd, MemorySource, Tag } from '../src/index.js';
import { GatedSource } from './support/gated-source.js';

const data = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);

/** A directory with one JPEGTables entry whose 300 bytes sit at offset 1000 of `source`. */
function tablesIfd(source: GatedSource): Ifd {
  const entries = new Map([[Tag.JPEGTables, { tag: Tag.JPEGTables, type: 7, count: 300, valueOffset: 1000 }]]);
  return new Ifd({ source, littleEndian: true, bigTiff: false, ndpi: false, fileSize: data.length }, 8, entries, 0);
}

describe('a tag value loaded once for several callers (JPEGTables for a viewport of tiles)', () => {
  it('is not failed for the others when the first caller aborts', async () => {
    const gated = new GatedSource(new MemorySource(data));
    const ifd = tablesIfd(gated);
    const panned = new AbortController();
    const first = ifd.value(Tag.JPEGTables, { signal: panned.signal });
    const second = ifd.value(Tag.JPEGTables, { signal: new AbortController().signal });
    await gated.until(1);
    panned.abort();
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    gated.release();
    expect(await second).toEqual(data.slice(1000, 1300));
    expect(gated.reads).toHaveLength(1);
  });

  it('aborts the read once every caller has, and a later caller reads it afresh', async () => {
    const gated = new GatedSource(new MemorySource(data));
    const ifd = tablesIfd(gated);
    const [a, b] = [new AbortController(), new AbortController()];
    const reads = [ifd.value(Tag.JPEGTables, { signal: a.signal }), ifd.value(Tag.JPEGTables, { signal: b.signal })];
    await gated.until(1);
    a.abort();
    b.abort();
    expect(gated.reads[0]!.signal!.aborted).toBe(true);
    for (const read of reads) await expect(read).rejects.toMatchObject({ code: 'aborted' });
    const again = ifd.value(Tag.JPEGTables);
    await gated.until(2);
    gated.release();
    expect(await again).toEqual(data.slice(1000, 1300));
  });
});
