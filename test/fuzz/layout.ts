import { DICM_OFFSET, isDicomPart10, readDicomHeader } from '../../src/dicom/dicom-header.js';
import { MemorySource } from '../../src/source/memory-source.js';
import { TiffReader } from '../../src/tiff/tiff-reader.js';
import type { Layout } from './mutations.js';

/**
 * Where a DICOM file's structure lives, in the same terms: its dataset as one "directory" whose entries are the
 * elements (at their value-length fields' neighbourhood) and whose "next pointer" is the first item of the pixel data
 * (the Basic Offset Table), which the mutations then aim at.
 */
async function dicomLayout(file: Uint8Array): Promise<Layout> {
  const { dataSet, pixelData } = await readDicomHeader(new MemorySource(file), {});
  const entries = Object.values(dataSet.elements).map((e) => ({ tag: Number.parseInt(e.tag.slice(1), 16), at: Math.max(DICM_OFFSET, e.dataOffset - 8) }));
  return { littleEndian: true, bigTiff: false, ifds: [{ offset: DICM_OFFSET + 4, entries, nextAt: pixelData?.offset ?? file.length - 8 }] };
}

/** The positions of every IFD entry and next pointer of a valid file, found with our own reader. */
export async function layoutOf(file: Uint8Array): Promise<Layout> {
  if (isDicomPart10(file)) return dicomLayout(file);
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
