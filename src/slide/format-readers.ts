import { SlideError } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import { TiffReader } from '../tiff/tiff-reader.js';
import type { SlideSources } from './slide-io.js';
import { TiffSlide } from './tiff-slide.js';
import type { Slide } from './types.js';

/** The first bytes of a file, enough for every detector: read through the metadata cache, so they cost no extra request. */
export const HEAD_BYTES = 16;

/** One slide format: a cheap test of a file's first bytes, and the reader that opens it. */
export interface FormatReader {
  /** For messages. */
  readonly name: string;
  detect(head: Uint8Array): boolean;
  open(sources: SlideSources, opts: ReadOptions): Promise<Slide>;
}

/** TIFF and BigTIFF in either byte order: Aperio SVS and generic pyramidal TIFF (which the slide layout tells apart). */
export const tiffFormat: FormatReader = {
  name: 'TIFF (Aperio SVS, pyramidal TIFF)',
  detect(head) {
    const order = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
    const version = order === 'II' ? (head[2] ?? 0) | ((head[3] ?? 0) << 8) : ((head[2] ?? 0) << 8) | (head[3] ?? 0);
    return (order === 'II' || order === 'MM') && (version === 42 || version === 43);
  },
  async open(sources, opts) {
    return new TiffSlide(await TiffReader.open(sources.meta, opts), sources.data, sources.io);
  },
};

/** The readers `openSlide` asks, in order; a format plugs in here without touching the viewer, sidecar or CLI. */
export const FORMAT_READERS: readonly FormatReader[] = [tiffFormat];

function describeHead(head: Uint8Array, size: number): string {
  if (size < HEAD_BYTES / 2) return `it is only ${size} bytes long`;
  const printable = [...head.subarray(0, 4)].every((b) => b >= 0x20 && b < 0x7f);
  const start = printable ? `"${String.fromCharCode(...head.subarray(0, 4))}"` : [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with ${start}`;
}

/** The reader for a file from its first bytes, or `not_tiff` naming what was found and what is read here. */
export async function detectFormat(sources: SlideSources, opts: ReadOptions): Promise<FormatReader> {
  const size = await sources.meta.size(opts);
  const head = await sources.meta.read(0, Math.min(HEAD_BYTES, size), opts);
  const reader = FORMAT_READERS.find((r) => r.detect(head));
  if (reader) return reader;
  const id = sources.meta.id;
  throw new SlideError(
    'not_tiff',
    `${id} is not a slide wsi-stream reads (${describeHead(head, size)}). Formats read here: ${FORMAT_READERS.map((r) => r.name).join('; ')}.`,
    { source: id },
  );
}
