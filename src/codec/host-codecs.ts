import { type CharlsModule, type OpenJpegModule, type OpenJphModule, wasmDecoder } from './wasm-decoder.js';
import { type Codec, CodecRegistry } from './registry.js';

/** The codecs a host decodes natively (its image libraries); the rest are the same everywhere. */
export interface NativeCodecs {
  jpeg: Codec;
  webp: Codec;
}

/** How a host loads the WASM codecs (each only when a tile first needs it): its module paths differ, the code does not. */
export interface WasmLoaders {
  openJpeg: () => Promise<OpenJpegModule>;
  charls: () => Promise<CharlsModule>;
  openJph: () => Promise<OpenJphModule>;
}

/**
 * A host's codecs: the shared lossless ones, the host's native JPEG and WebP decoders, and OpenJPEG, OpenJPH and CharLS
 * in WASM (the codecs listed in DECODED_IN_WASM, wasm-assets.ts).
 */
export function hostCodecs(native: NativeCodecs, wasm: WasmLoaders): CodecRegistry {
  const jp2k = wasmDecoder({ name: 'JPEG 2000 (OpenJPEG WASM)', load: wasm.openJpeg, create: (m) => new m.J2KDecoder() });
  const htj2k = wasmDecoder({ name: 'HTJ2K (OpenJPH WASM)', load: wasm.openJph, create: (m) => new m.HTJ2KDecoder() });
  const jpegls = wasmDecoder({ name: 'JPEG-LS (CharLS WASM)', load: wasm.charls, create: (m) => new m.JpegLSDecoder() });
  return new CodecRegistry()
    .register('jpeg', () => native.jpeg)
    .register('webp', () => native.webp)
    .register('jp2k', () => jp2k)
    .register('htj2k', () => htj2k)
    .register('jpegls', () => jpegls);
}
