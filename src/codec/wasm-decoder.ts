import { SlideError } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import type { Codec } from './registry.js';
import type { DecodedSamples } from './types.js';

/** The decoder objects of the Cornerstone WASM codecs (OpenJPEG, OpenJPH, CharLS) share this shape. */
export interface WasmImageDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  getDecodedBuffer(): Uint8Array;
  /** CharLS: 0 when the components come out one plane after another, not interleaved. */
  getInterleaveMode?(): number;
  delete(): void;
}

/** The parts of `@cornerstonejs/codec-openjpeg`'s module we use. */
export interface OpenJpegModule {
  J2KDecoder: new () => WasmImageDecoder;
}

/** The parts of `@cornerstonejs/codec-charls`'s module we use. */
export interface CharlsModule {
  JpegLSDecoder: new () => WasmImageDecoder;
}

/** The parts of `@cornerstonejs/codec-openjph`'s module we use (High-Throughput JPEG 2000). */
export interface OpenJphModule {
  HTJ2KDecoder: new () => WasmImageDecoder;
}

/** A WASM codec: its name for messages, how a host loads it (on the first tile that needs it, or when warmed), and how to make a decoder. */
export interface WasmCodec<M> {
  name: string;
  load: () => Promise<M>;
  create: (module: M) => WasmImageDecoder;
}

/** Components stored one plane after another, interleaved pixel by pixel. */
function interleave(planar: Uint8Array, pixels: number, components: number): Uint8Array {
  const out = new Uint8Array(pixels * components);
  for (let c = 0; c < components; c++) for (let i = 0; i < pixels; i++) out[i * components + c] = planar[c * pixels + i]!;
  return out;
}

/**
 * A tile decoder over a Cornerstone WASM codec: JPEG 2000 through OpenJPEG, HTJ2K through OpenJPH, JPEG-LS through CharLS. The tile's colour
 * says whether the codestream holds YCbCr (Aperio 33003, converted after decoding) or RGB (33005, DICOM). The decoder
 * returns every component at full size, interleaved, as opj_decompress and dcmdjpls do.
 */
export function wasmDecoder<M>(codec: WasmCodec<M>): Codec {
  let module: Promise<M> | undefined;
  const load = (): Promise<M> =>
    (module ??= codec.load().catch((cause: unknown) => {
      module = undefined;
      throw new SlideError('unsupported_compression', `The ${codec.name} decoder failed to load: ${String(cause)}.`, { cause });
    }));
  const samples = async (tile: EncodedTile): Promise<DecodedSamples> => {
    const decoder = codec.create(await load());
    try {
      decoder.getEncodedBuffer(tile.bytes.length).set(tile.bytes);
      try {
        decoder.decode();
      } catch (cause) {
        throw new SlideError('corrupt', `A ${codec.name} tile could not be decoded (error ${String(cause)}). The file is damaged.`, { cause });
      }
      const info = decoder.getFrameInfo();
      // The decoders report a stream they could not parse as an image of no components rather than throwing.
      if (info.componentCount === 0 || info.width === 0 || info.height === 0) {
        throw new SlideError('corrupt', `A ${codec.name} tile holds no decodable image (truncated or damaged codestream). The file is damaged.`);
      }
      if (info.bitsPerSample !== 8 || info.isSigned || (info.componentCount !== 3 && info.componentCount !== 1)) {
        throw new SlideError(
          'unsupported_pixels',
          `A ${codec.name} tile has ${info.componentCount} components of ${info.bitsPerSample} bits${info.isSigned ? ', signed' : ''}; wsi-stream reads 8-bit greyscale and three-component colour.`,
        );
      }
      // Copy out of the WASM heap: the decoder's memory is reused and freed by delete().
      const decoded = decoder.getDecodedBuffer().slice();
      const planar = info.componentCount > 1 && decoder.getInterleaveMode?.() === 0;
      const samples = planar ? interleave(decoded, info.width * info.height, info.componentCount) : decoded;
      // The container says what the codestream holds (Aperio 33003 YCbCr, 33005 RGB; DICOM's header or the codestream).
      const colour = info.componentCount === 1 ? 'grey' : tile.colour === 'ycbcr' ? 'ycbcr' : 'rgb';
      return { width: info.width, height: info.height, samples, channels: info.componentCount, colour };
    } finally {
      decoder.delete();
    }
  };
  return { samples, warm: async () => void (await load()) };
}
