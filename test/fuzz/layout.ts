import { MemorySource } from '../../src/source/memory-source.js';
import { TiffReader } from '../../src/tiff/tiff-reader.js';
import type { Layout } from './mutations.js';

/** The positions of every IFD entry and next pointer of a valid file, found with our own reader. */
export async function layoutOf(file: Uint8Array): Promise<Layout> {
  const tiff = await TiffReader.open(new MemorySource(file));
  const entrySize = tiff.bigTiff ? 20 : 12;
  const countSize = tiff.bigTiff ? 8 : 2;
  const all = tiff.ifds.flatMap((ifd) => [ifd, ...ifd.subIfds]);
  return {
    littleEndian: tiff.littleEndian,
    bigTiff: tiff.bigTiff,
    ifds: all.map((ifd) => ({
      offset: ifd.offset,
      entries: [...ifd.entries.keys()].map((tag, i) => ({ tag, at: ifd.offset + countSize + i * entrySize })),
      nextAt: ifd.offset + countSize + ifd.entries.size * entrySize,
    })),
  };
}
