import { SlideError } from '../errors.js';
import { BlobSource } from '../source/blob-source.js';
import { HttpSource, type HttpSourceOptions } from '../source/http-source.js';
import type { RangeSource } from '../source/range-source.js';
import { DicomSlide } from '../dicom/dicom-slide.js';
import { type DicomWebOptions, openDicomWebSeries } from '../dicom/dicomweb.js';
import { tailRequestLength } from '../tiff/tail-read.js';
import { detectFormat } from './format-readers.js';
import { type SlideSourceOptions, type SlideSources, slideSources } from './slide-io.js';
import type { Slide, TileCodec } from './types.js';

export type SlideInput = string | URL | Blob | RangeSource;

export interface OpenSlideOptions extends SlideSourceOptions {
  signal?: AbortSignal;
  /** For URL inputs. */
  http?: HttpSourceOptions;
  /** For `dicomweb:` inputs: auth hooks (a bearer token, cookies). */
  dicomweb?: DicomWebOptions;
  /**
   * Told a codec the slide's tiles use as soon as the open knows it, before the open ends: a TIFF's from its first
   * directory. The viewer loads that codec's decoder then (JPEG 2000's WASM), while the open reads the rest. With the
   * persistent cache, a slide opened before is told the codec its last open found at once, before anything is read
   * (and the codec found again only if it differs).
   */
  onTileCodec?: (codec: TileCodec) => void;
}

/** A URL, Blob/File or any RangeSource, as the source the reader stacks its caches on. */
export function toSource(input: SlideInput, options: OpenSlideOptions = {}): RangeSource {
  if (typeof input === 'string' || input instanceof URL) {
    const url = String(input);
    if (url.startsWith('s3://')) {
      throw new SlideError('invalid_argument', `${url} is an S3 URI: open it with an S3 source (wsi-stream/s3) or a presigned HTTPS URL.`);
    }
    return new HttpSource(url, { tailLength: tailRequestLength(url), ...options.http });
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new BlobSource(input);
  if (typeof (input as RangeSource).read === 'function' && typeof (input as RangeSource).size === 'function') return input as RangeSource;
  throw new SlideError('invalid_argument', 'openSlide needs a URL, a Blob or File, or a RangeSource.');
}

/**
 * The source a one-file input is read from, made before the open so a caller can key what it keeps by the slide's
 * identity (its `id` is the opened slide's `sourceId`); undefined for a DICOM series (a list of files, a `dicomweb:`
 * URL), whose identity only its open learns.
 */
export function oneFileSource(input: SlideInput | readonly SlideInput[], options: OpenSlideOptions = {}): RangeSource | undefined {
  if (Array.isArray(input) || (typeof input === 'string' && input.startsWith('dicomweb:'))) return undefined;
  return toSource(input as SlideInput, options);
}

/** Whether a value is an opened slide (any format's), rather than something to open. */
export function isSlide(value: unknown): value is Slide {
  return typeof value === 'object' && value !== null && typeof (value as Slide).readTile === 'function' && Array.isArray((value as Slide).levels);
}

/**
 * Opens a slide — one file, a DICOM series given as the list of its files, or a `dicomweb:` series: reads its first bytes to pick a format reader (the registry in format-readers.ts), which reads
 * the directories through a block cache (few, small requests) and returns the slide model; tile reads later
 * fetch exactly each tile's bytes.
 */
export async function openSlide(input: SlideInput | readonly SlideInput[], options: OpenSlideOptions = {}): Promise<Slide> {
  const opts = options.signal ? { signal: options.signal } : {};
  if (typeof input === 'string' && input.startsWith('dicomweb:'))
    return openDicomWebSeries(input, { ...options.dicomweb, persistentCache: options.persistentCache }, opts);
  if (Array.isArray(input)) {
    // A DICOM series: one instance per file (URLs, Files or sources), each behind caches of its own.
    if (input.length === 0) throw new SlideError('invalid_argument', 'openSlide was given an empty list of files.');
    return DicomSlide.open(
      input.map((i) => slideSources(toSource(i, options), options)),
      opts,
    );
  }
  const sources = slideSources(toSource(input as SlideInput, options), options);
  const onTileCodec = codecTeller(sources, options.onTileCodec);
  const reader = await detectFormat(sources, opts);
  return reader.open(sources, { ...opts, onTileCodec });
}

/**
 * Tells `told` the codec the persistent cache noted at the slide's last open at once: a reopen from IndexedDB would
 * learn it only after two lookups (the file's ends, then its first directory). The codec the open finds is noted for
 * the next open, and told unless it was the one noted.
 */
function codecTeller(sources: SlideSources, told?: (codec: TileCodec) => void): (codec: TileCodec) => void {
  const noted = sources.persistent?.notedCodec;
  if (noted) told?.(noted);
  return (codec) => {
    sources.persistent?.noteCodec(codec);
    if (codec !== noted) told?.(codec);
  };
}
