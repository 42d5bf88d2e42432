import { SlideError, throwIfAborted } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import type { EncodedImage, EncodedTile } from '../slide/types.js';
import { Compression } from '../tiff/tags.js';
import { toRgba, transparent } from './rgba.js';
import { decodeSamples } from './samples-decoder.js';
import type { DecodedImage, TileDecoder } from './types.js';

type DecoderLoader = () => Promise<TileDecoder> | TileDecoder;

const LOSSLESS = [Compression.None, Compression.LZW, Compression.AdobeDeflate, Compression.Deflate, Compression.PackBits, Compression.ZSTD];

/**
 * Decoders keyed by TIFF compression, each loaded the first time a tile needs it — so the JPEG 2000
 * WASM costs nothing until a JPEG 2000 tile appears. Hosts (Node, the browser worker) register JPEG and
 * JPEG 2000; the lossless codecs are the same everywhere.
 */
export class CodecRegistry {
  readonly #loaders = new Map<number, DecoderLoader>();
  readonly #loaded = new Map<number, Promise<TileDecoder>>();

  constructor() {
    for (const c of LOSSLESS) this.register(c, () => decodeSamples);
  }

  register(compression: number, loader: DecoderLoader): this {
    this.#loaders.set(compression, loader);
    this.#loaded.delete(compression);
    return this;
  }

  #decoder(compression: number): Promise<TileDecoder> {
    let decoder = this.#loaded.get(compression);
    if (!decoder) {
      const loader = this.#loaders.get(compression);
      if (!loader) {
        return Promise.reject(new SlideError('unsupported_compression', `No decoder for TIFF compression ${compression} is available here.`));
      }
      decoder = Promise.resolve().then(loader);
      decoder.catch(() => this.#loaded.delete(compression));
      this.#loaded.set(compression, decoder);
    }
    return decoder;
  }

  /** RGBA pixels of one tile at its true size; a missing tile is transparent. */
  async decode(tile: EncodedTile, opts: ReadOptions = {}): Promise<DecodedImage> {
    throwIfAborted(opts.signal);
    if (tile.missing) return transparent(tile.width, tile.height);
    const decode = await this.#decoder(tile.compression);
    const samples = await decode(tile, opts);
    throwIfAborted(opts.signal);
    return toRgba(samples, tile.width, tile.height);
  }

  /** An associated image: its strips decoded and stacked. */
  async decodeImage(image: EncodedImage, opts: ReadOptions = {}): Promise<DecodedImage> {
    const data = new Uint8ClampedArray(image.width * image.height * 4);
    const strips = await Promise.all(image.strips.map((strip) => this.decode(strip, opts)));
    for (const [i, strip] of strips.entries()) data.set(strip.data, image.strips[i]!.top * image.width * 4);
    return { width: image.width, height: image.height, data };
  }
}
