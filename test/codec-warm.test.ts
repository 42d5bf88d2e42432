import { describe, expect, it } from 'vitest';
import { hostCodecs } from '../src/codec/host-codecs.js';
import { NODE_WASM_LOADERS } from '../src/codec/node-codecs.js';
import type { OpenJpegModule } from '../src/codec/wasm-decoder.js';
import { NodeFileSource, openSlide, SlideError, type TileCodec } from '../src/node.js';
import { openFixture } from './support/open-fixture.js';
import type { RangeSource, ReadOptions } from '../src/source/range-source.js';
import { fixturePath } from './support/fixtures.js';

/** A file whose reads of its last byte wait until released: the open's tail read, which the first directory does not need. */
class TailHeldSource implements RangeSource {
  readonly id: string;
  readonly #inner: NodeFileSource;
  #held: Array<() => void> = [];
  heldReads = 0;

  constructor(path: string) {
    this.#inner = new NodeFileSource(path);
    this.id = this.#inner.id;
  }

  size(opts?: ReadOptions): Promise<number> {
    return this.#inner.size(opts);
  }

  async read(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    if (offset + length === (await this.size())) {
      this.heldReads++;
      await new Promise<void>((go) => this.#held.push(go));
    }
    return this.#inner.read(offset, length, opts);
  }

  release(): void {
    for (const go of this.#held.splice(0)) go();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** The codecs an open tells, and how many tail reads were held when it told the first. */
async function codecsTold(file: string): Promise<{ codecs: TileCodec[]; tailHeldWhenTold: number; levels: number }> {
  const source = new TailHeldSource(fixturePath(file));
  const codecs: TileCodec[] = [];
  let tailHeldWhenTold = -1;
  const opening = openSlide(source, {
    onTileCodec: (codec) => {
      if (codecs.length === 0) tailHeldWhenTold = source.heldReads;
      codecs.push(codec);
      source.release();
    },
  });
  // A reader that never tells would wait on the tail for ever: let it go once nothing else is pending.
  const fallback = setInterval(() => source.release(), 200);
  try {
    const slide = await opening;
    return { codecs, tailHeldWhenTold, levels: slide.levels.length };
  } finally {
    clearInterval(fallback);
    await source.close();
  }
}

describe('the open tells the tile codec from the first directory, before the tail has come', () => {
  it.each([
    ['aperio-jp2k-33005-256.svs', 'jp2k'],
    ['aperio-jp2k-33003-240.svs', 'jp2k'],
    ['CMU-1-Small-Region.svs', 'jpeg'],
    ['test3-TRITC-2-560.ndpi', 'jpeg'],
    ['yb10kx5k.zstd.tiff', 'zstd'],
  ] as const)('%s: %s', async (file, codec) => {
    const told = await codecsTold(file);
    expect(told.codecs).toEqual([codec]);
    // Told while the tail read was still held: the viewer loads the decoder while the rest of the open is read.
    expect(told.tailHeldWhenTold).toBeGreaterThan(0);
    expect(told.levels).toBeGreaterThan(0);
  });
});

describe('warming a codec loads its decoder once, ahead of the first tile', () => {
  const realOpenJpeg = NODE_WASM_LOADERS.openJpeg;

  function countingCodecs(load: () => Promise<OpenJpegModule>) {
    const counts = { openJpeg: 0 };
    const unused = () => Promise.reject(new Error('not used here'));
    const native = { samples: unused };
    const codecs = hostCodecs(
      { jpeg: native, webp: native },
      {
        openJpeg: () => {
          counts.openJpeg++;
          return load();
        },
        charls: unused,
        openJph: unused,
      },
    );
    return { codecs, counts };
  }

  it('JPEG 2000: the WASM module loads when warmed, and the first tile reuses it', async () => {
    const { codecs, counts } = countingCodecs(realOpenJpeg);
    await codecs.warm('jp2k');
    expect(counts.openJpeg).toBe(1);
    const slide = await openFixture('aperio-jp2k-33005-256.svs');
    const image = await codecs.decode(await slide.readTile(1, 0, 0));
    expect([image.width, image.height]).toEqual([256, 256]);
    expect(counts.openJpeg).toBe(1);
  });

  it('a codec without anything to load warms at no cost; one this host lacks does not throw', async () => {
    const { codecs, counts } = countingCodecs(realOpenJpeg);
    await codecs.warm('lzw');
    await expect(codecs.warm('nothing' as TileCodec)).resolves.toBeUndefined();
    expect(counts.openJpeg).toBe(0);
  });

  it('a module that fails to load: warming does not reject, the first tile says why, and a later tile loads again', async () => {
    let fail = true;
    const { codecs, counts } = countingCodecs(() => (fail ? Promise.reject(new Error('network down')) : realOpenJpeg()));
    await expect(codecs.warm('jp2k')).resolves.toBeUndefined();
    const slide = await openFixture('aperio-jp2k-33005-256.svs');
    const error = await codecs.decode(await slide.readTile(1, 0, 0)).catch((e: unknown) => e);
    expect(SlideError.is(error) && error.code).toBe('unsupported_compression');
    expect(String((error as Error).message)).toContain('network down');
    fail = false;
    const image = await codecs.decode(await slide.readTile(1, 0, 0));
    expect(image.width).toBe(256);
    expect(counts.openJpeg).toBe(3);
  });
});
