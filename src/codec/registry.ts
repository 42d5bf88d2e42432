import { SlideError, throwIfAborted } from '../errors.js';
import type { EncodedImage, EncodedTile, TileCodec } from '../slide/types.js';
import type { ReadOptions } from '../source/range-source.js';
import { decodePlane16, planeFromSamples, type SamplePlane } from './plane.js';
import { reduceImage } from './reduce.js';
import { toRgba, transparent } from './rgba.js';
import { decodeSamples } from './samples-decoder.js';
import type { DecodedImage, DecodeOptions, TileDecoder } from './types.js';
import { loadZstd } from './zstd.js';

/** A host's direct route from a tile to an ImageBitmap (the browser's own JPEG decoder): no pixel copy at all. */
export type BitmapDecoder = (tile: EncodedTile, opts: ReadOptions) => Promise<ImageBitmap>;

/** How one codec turns a tile into pixels: samples always, an ImageBitmap directly where the host can. */
export interface Codec {
  samples: TileDecoder;
  bitmap?: BitmapDecoder;
  /** Loads what the first decode would wait for (a WASM module), ahead of the first tile. */
  warm?: () => Promise<void>;
}

/**
 * Pixels to take of a decoded side before reducing it by `factor` to `wanted`: all `wanted × factor` where the decode
 * has them, or what it has when that still reaches the last output pixel (a level's edge); asking for more than the
 * decode holds otherwise lets toRgba report the damage.
 */
function sizeBeforeReduce(wanted: number, decoded: number, factor: number): number {
  return decoded > (wanted - 1) * factor ? Math.min(decoded, wanted * factor) : wanted * factor;
}

type CodecLoader = () => Promise<Codec> | Codec;

const LOSSLESS: readonly TileCodec[] = ['raw', 'lzw', 'deflate', 'packbits', 'zstd'];

/**
 * Decoders keyed by codec (`EncodedTile.codec`), whatever container the tile came from (a TIFF tag, an NDPI
 * restart interval, a DICOM frame), each loaded the first time a tile needs it — so the JPEG 2000 WASM
 * costs nothing until a JPEG 2000 tile appears. Hosts (Node, the browser worker) register JPEG and
 * JPEG 2000; the lossless codecs are the same everywhere.
 */
export class CodecRegistry {
  readonly #loaders = new Map<string, CodecLoader>();
  readonly #loaded = new Map<string, Promise<Codec>>();

  constructor() {
    for (const codec of LOSSLESS) this.register(codec, () => ({ samples: decodeSamples }));
    // ZSTD's decoder is WASM of its own, loaded ahead like JPEG 2000's.
    this.register('zstd', () => ({ samples: decodeSamples, warm: async () => void (await loadZstd()) }));
  }

  register(codec: TileCodec, loader: CodecLoader): this {
    this.#loaders.set(codec, loader);
    this.#loaded.delete(codec);
    return this;
  }

  /** The codec for a tile, loaded on first use; `unsupported_compression` when this host has none. */
  codec(name: TileCodec): Promise<Codec> {
    let codec = this.#loaded.get(name);
    if (!codec) {
      const loader = this.#loaders.get(name);
      if (!loader) return Promise.reject(new SlideError('unsupported_compression', `No decoder for ${name} tiles is available here.`));
      codec = Promise.resolve().then(loader);
      codec.catch(() => this.#loaded.delete(name));
      this.#loaded.set(name, codec);
    }
    return codec;
  }

  /**
   * Loads a codec's decoder now, while the tiles that need it are still being read. Never rejects: a decoder that
   * cannot load says why on the first tile that needs it.
   */
  async warm(name: TileCodec): Promise<void> {
    try {
      await (await this.codec(name)).warm?.();
    } catch {
      // Reported by the decode that needs it.
    }
  }

  /** RGBA pixels of one tile at its true size (reduced where the tile says), converted by `opts.colour` when given; a missing tile is transparent. */
  async decode(tile: EncodedTile, opts: DecodeOptions = {}): Promise<DecodedImage> {
    throwIfAborted(opts.signal);
    if (tile.missing) return transparent(tile.width, tile.height);
    const { samples } = await this.codec(tile.codec);
    const decoded = await samples(tile, opts);
    throwIfAborted(opts.signal);
    const factor = tile.reduce ?? 1;
    const full = toRgba(decoded, sizeBeforeReduce(tile.width, decoded.width, factor), sizeBeforeReduce(tile.height, decoded.height, factor));
    const image = factor > 1 ? reduceImage(full, factor, tile.width, tile.height) : full;
    opts.colour?.apply(image.data);
    return image;
  }

  /**
   * One channel's stored values (8 or 16 bits) at the tile's true size, for compositing: 16-bit lossless tiles keep
   * their full range; 8-bit tiles of any codec give their first sample.
   */
  async decodePlane(tile: EncodedTile, opts: DecodeOptions = {}): Promise<SamplePlane> {
    throwIfAborted(opts.signal);
    const bits = tile.layout.bitsPerSample === 16 ? 16 : 8;
    if (tile.missing)
      return {
        width: tile.width,
        height: tile.height,
        bits,
        values: bits === 16 ? new Uint16Array(tile.width * tile.height) : new Uint8Array(tile.width * tile.height),
      };
    if (bits === 16 && LOSSLESS.includes(tile.codec)) return decodePlane16(tile);
    const { samples } = await this.codec(tile.codec);
    const plane = planeFromSamples(await samples(tile, opts), tile.width, tile.height);
    throwIfAborted(opts.signal);
    return plane;
  }

  /** An associated image: its strips decoded and stacked. */
  async decodeImage(image: EncodedImage, opts: DecodeOptions = {}): Promise<DecodedImage> {
    const data = new Uint8ClampedArray(image.width * image.height * 4);
    const strips = await Promise.all(image.strips.map((strip) => this.decode(strip, opts)));
    for (const [i, strip] of strips.entries()) data.set(strip.data, image.strips[i]!.top * image.width * 4);
    return { width: image.width, height: image.height, data };
  }
}
