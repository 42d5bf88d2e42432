import type { TileCodec } from '../slide/types.js';

/**
 * The codecs a decode worker runs in WASM on its own thread (OpenJPEG, OpenJPH, CharLS; see host-codecs.ts): tens of
 * milliseconds of CPU a tile, where the browser's JPEG and WebP decoders take one or two.
 */
export const DECODED_IN_WASM: ReadonlySet<TileCodec> = new Set<TileCodec>(['jp2k', 'htj2k', 'jpegls']);
