import { SlideError } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import type { DecodedSamples, TileDecoder } from './types.js';

/** The parts of `@cornerstonejs/codec-openjpeg`'s module we use. */
export interface OpenJpegModule {
  J2KDecoder: new () => {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
    getDecodedBuffer(): Uint8Array;
    delete(): void;
  };
}

/**
 * JPEG 2000 through OpenJPEG in WASM. The tile's colour says whether the codestream holds YCbCr (Aperio 33003,
 * converted after decoding) or RGB (33005). The decoder returns every component at full size, interleaved, as opj_decompress does.
 */
export function jp2kDecoder(load: () => Promise<OpenJpegModule>): TileDecoder {
  let module: Promise<OpenJpegModule> | undefined;
  return async (tile: EncodedTile): Promise<DecodedSamples> => {
    module ??= load().catch((cause: unknown) => {
      module = undefined;
      throw new SlideError('unsupported_compression', `The JPEG 2000 decoder (OpenJPEG WASM) failed to load: ${String(cause)}.`, { cause });
    });
    const decoder = new (await module).J2KDecoder();
    try {
      decoder.getEncodedBuffer(tile.bytes.length).set(tile.bytes);
      try {
        decoder.decode();
      } catch (cause) {
        throw new SlideError('corrupt', `A JPEG 2000 tile could not be decoded (OpenJPEG error ${String(cause)}). The file is damaged.`, { cause });
      }
      const info = decoder.getFrameInfo();
      // OpenJPEG reports a stream it could not parse as an image of no components rather than throwing.
      if (info.componentCount === 0 || info.width === 0 || info.height === 0) {
        throw new SlideError('corrupt', 'A JPEG 2000 tile holds no decodable image (truncated or damaged codestream). The file is damaged.');
      }
      if (info.bitsPerSample !== 8 || info.isSigned || (info.componentCount !== 3 && info.componentCount !== 1)) {
        throw new SlideError(
          'unsupported_pixels',
          `A JPEG 2000 tile has ${info.componentCount} components of ${info.bitsPerSample} bits${info.isSigned ? ', signed' : ''}; wsi-stream reads 8-bit greyscale and three-component colour.`,
        );
      }
      // Copy out of the WASM heap: the decoder's memory is reused and freed by delete().
      const samples = decoder.getDecodedBuffer().slice();
      // The container says what the codestream holds (Aperio 33003 YCbCr, 33005 RGB; DICOM's header or the codestream).
      const colour = info.componentCount === 1 ? 'grey' : tile.colour === 'ycbcr' ? 'ycbcr' : 'rgb';
      return { width: info.width, height: info.height, samples, channels: info.componentCount, colour };
    } finally {
      decoder.delete();
    }
  };
}
