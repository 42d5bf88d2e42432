import { Tag } from '../../src/tiff/tags.js';

/** Deterministic PRNG (mulberry32): a seed names every case, so any finding can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where a file's structure lives: each IFD's entries (tag, type, count, value field) and next pointer. */
export interface Layout {
  littleEndian: boolean;
  bigTiff: boolean;
  ifds: Array<{ offset: number; entries: Array<{ tag: number; at: number }>; nextAt: number }>;
}

export interface Mutant {
  patches: Map<number, number>;
  size: number;
  what: string;
}

/** One mutation of a kind chosen by the PRNG, aimed at the structures a hostile file would attack. */
export function mutate(file: Uint8Array, layout: Layout, random: () => number): Mutant {
  const patches = new Map<number, number>();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const put = (at: number, bytes: number[]) => {
    for (const [i, b] of bytes.entries()) if (at + i < file.length) patches.set(at + i, b & 0xff);
  };
  const word = (value: number, size: number): number[] => {
    const bytes = Array.from({ length: size }, (_, i) => Math.floor(value / 2 ** (8 * i)) & 0xff);
    return layout.littleEndian ? bytes : bytes.reverse();
  };
  const ifd = pick(layout.ifds);
  const entry = ifd.entries.length ? pick(ifd.entries) : undefined;
  const countSize = layout.bigTiff ? 8 : 4;
  const valueSize = layout.bigTiff ? 8 : 4;
  const huge = pick([0, 1, 0xffff, 0x7fffffff, 0xffffffff, 2 ** 40, file.length, file.length - 1, file.length + 1]);
  const kinds = ['bitflips', 'truncate', 'count', 'offset', 'loop', 'type', 'tilesize', 'ifdcount', 'bytes'] as const;
  const kind = pick(kinds);
  let size = file.length;
  switch (kind) {
    case 'bitflips':
      for (let i = 0, n = 1 + Math.floor(random() * 8); i < n; i++) {
        const at = random() < 0.7 ? ifd.offset + Math.floor(random() * 512) : Math.floor(random() * file.length);
        if (at < file.length) patches.set(at, (patches.get(at) ?? file[at]!) ^ (1 << Math.floor(random() * 8)));
      }
      break;
    case 'truncate':
      size = Math.floor(random() * file.length);
      break;
    case 'count':
      if (entry) put(entry.at + 4, word(huge, countSize));
      break;
    case 'offset':
      if (entry) put(entry.at + 4 + countSize, word(huge, valueSize));
      break;
    case 'loop':
      put(ifd.nextAt, word(pick(layout.ifds).offset, valueSize));
      break;
    case 'type':
      if (entry) put(entry.at + 2, word(pick([0, 2, 5, 7, 11, 12, 13, 14, 16, 17, 18, 99, 0xffff]), 2));
      break;
    case 'tilesize': {
      const target = ifd.entries.find(
        (e) => e.tag === pick([Tag.TileWidth, Tag.TileLength, Tag.ImageWidth, Tag.ImageLength, Tag.RowsPerStrip, Tag.SamplesPerPixel, Tag.BitsPerSample]),
      );
      if (target) put(target.at + 4 + countSize, word(pick([0, 1, 3, 65535, 65536, 100_000, 2 ** 31]), 4));
      break;
    }
    case 'ifdcount':
      put(ifd.offset, word(pick([0, 1, 4096, 4097, 65535]), layout.bigTiff ? 8 : 2));
      break;
    case 'bytes':
      for (let i = 0, at = Math.floor(random() * file.length), n = 1 + Math.floor(random() * 64); i < n; i++) put(at + i, [Math.floor(random() * 256)]);
      break;
  }
  return { patches, size, what: kind };
}
