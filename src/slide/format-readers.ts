import { SlideError } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import { readEnds, TiffReader } from '../tiff/tiff-reader.js';
import { namedAsDicom } from '../tiff/tail-read.js';
import type { SlideSources } from './slide-io.js';
import { isDicomPart10 } from '../dicom/dicom-header.js';
import { DicomSlide } from '../dicom/dicom-slide.js';
import { NdpiSlide } from './ndpi-slide.js';
import { TiffSlide } from './tiff-slide.js';
import type { Slide, TileCodec } from './types.js';
import { codecOfCompression } from './directory.js';
import type { Ifd } from '../tiff/ifd.js';
import { Compression, Tag } from '../tiff/tags.js';

/** The first bytes of a file, enough for every detector (DICOM's magic sits at 128): read through the metadata cache, so they cost no extra request. */
export const HEAD_BYTES = 132;

export interface FormatOpenOptions extends ReadOptions {
  /** Told a codec the slide's tiles use as soon as the reader knows it, before the open ends (see OpenSlideOptions). */
  onTileCodec?: (codec: TileCodec) => void;
}

/** One slide format: a cheap test of a file's first bytes, and the reader that opens it. */
export interface FormatReader {
  /** For messages. */
  readonly name: string;
  detect(head: Uint8Array): boolean;
  open(sources: SlideSources, opts: FormatOpenOptions): Promise<Slide>;
}

/**
 * TIFF and BigTIFF in either byte order: Aperio SVS, generic pyramidal TIFF and OME-TIFF (which the slide layout tells
 * apart), and Hamamatsu NDPI (which the directory reader recognises by its format tag).
 */
export const tiffFormat: FormatReader = {
  name: 'TIFF (Aperio SVS, pyramidal TIFF, OME-TIFF, Hamamatsu NDPI)',
  detect(head) {
    const order = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
    const version = order === 'II' ? (head[2] ?? 0) | ((head[3] ?? 0) << 8) : ((head[2] ?? 0) << 8) | (head[3] ?? 0);
    return (order === 'II' || order === 'MM') && (version === 42 || version === 43);
  },
  async open(sources, { onTileCodec, ...opts }) {
    // The first directory is the first level (or an NDPI's JPEG): its codec is the one the first viewport decodes.
    const onFirstDirectory = (ifd: Ifd) => {
      const codec = codecOfCompression(ifd.number(Tag.Compression) ?? Compression.None);
      if (codec) onTileCodec?.(codec);
    };
    const tiff = await TiffReader.open(sources.meta, { ...opts, onFirstDirectory });
    if (tiff.ndpi) return NdpiSlide.open(tiff, sources.data, sources.io, opts);
    return new TiffSlide(tiff, sources.data, sources.io);
  },
};

/** One DICOM WSI instance opened on its own (a single-level slide); a series opens from the list of its files. */
export const dicomFormat: FormatReader = {
  name: 'DICOM WSI (a file; a series from the list of its files)',
  detect: isDicomPart10,
  open: (sources, opts) => DicomSlide.open([sources], opts),
};

/** The readers `openSlide` asks, in order; a format plugs in here without touching the viewer, sidecar or CLI. */
export const FORMAT_READERS: readonly FormatReader[] = [tiffFormat, dicomFormat];

function describeHead(head: Uint8Array, size: number): string {
  if (size < 8) return `it is only ${size} bytes long`;
  const printable = [...head.subarray(0, 4)].every((b) => b >= 0x20 && b < 0x7f);
  const start = printable ? `"${String.fromCharCode(...head.subarray(0, 4))}"` : [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with ${start}`;
}

/** The reader for a file from its first bytes, or `not_tiff` naming what was found and what is read here. */
export async function detectFormat(sources: SlideSources, opts: ReadOptions): Promise<FormatReader> {
  const id = sources.meta.id;
  // MIRAX is a folder of files named from a .mrxs index (OpenSlide also recognises it by name); no byte test exists.
  if (/\.mrxs$|(^|\/)slidedat\.ini$/i.test(id.split(/[?#]/)[0]!)) {
    throw new SlideError(
      'unsupported_mirax',
      `${id} is a 3DHISTECH MIRAX slide (.mrxs with a folder of data files), which wsi-stream does not read: it is many files, not one range-readable file. Convert it with \`vips tiffsave slide.mrxs out.tif --tile --pyramid --compression jpeg\`.`,
      { source: id },
    );
  }
  const size = await sources.meta.size(opts);
  // A TIFF's ends (its tail holds the small levels' directories, arrays and tiles) go out with the head, in the first
  // round trip, instead of after it (over HTTP, the source's suffix request has them already).
  if (!namedAsDicom(id)) readEnds(sources.meta, size, opts);
  const head = await sources.meta.read(0, Math.min(HEAD_BYTES, size), opts);
  const reader = FORMAT_READERS.find((r) => r.detect(head));
  if (reader) return reader;
  throw new SlideError(
    'not_tiff',
    `${id} is not a slide wsi-stream reads (${describeHead(head, size)}). Formats read here: ${FORMAT_READERS.map((r) => r.name).join('; ')}.`,
    { source: id },
  );
}
