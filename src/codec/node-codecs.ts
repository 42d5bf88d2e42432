import { createRequire } from 'node:module';
import { SlideError } from '../errors.js';
import { loadSharp } from '../optional-dependency.js';
import type { EncodedTile } from '../slide/types.js';
import { hostCodecs, type WasmLoaders } from './host-codecs.js';
import type { CharlsModule, OpenJpegModule, OpenJphModule } from './wasm-decoder.js';
import type { CodecRegistry } from './registry.js';
import type { DecodedSamples } from './types.js';

/**
 * JPEG and WebP in Node through sharp's libvips: libjpeg-turbo (which honours the Adobe marker our splice adds)
 * and libwebp.
 */
async function decodeWithSharp(tile: EncodedTile): Promise<DecodedSamples> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(tile.bytes, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      samples: new Uint8Array(data.buffer, data.byteOffset, data.length),
      channels: info.channels,
      colour: info.channels < 3 ? 'grey' : info.channels === 4 ? 'rgba' : 'rgb',
    };
  } catch (cause) {
    throw new SlideError(
      'corrupt',
      `A ${tile.codec === 'webp' ? 'WebP' : 'JPEG'} tile could not be decoded (${cause instanceof Error ? cause.message : String(cause)}). The file is damaged.`,
      {
        cause,
      },
    );
  }
}

/** A Cornerstone codec's WASM glue: CommonJS, and it finds its .wasm beside itself in Node. */
async function loadWasm<M>(glue: string): Promise<M> {
  const factory = createRequire(import.meta.url)(glue) as (o: object) => Promise<M>;
  return factory({ print: () => undefined, printErr: () => undefined });
}

/** How Node loads the WASM codecs. */
export const NODE_WASM_LOADERS: WasmLoaders = {
  openJpeg: () => loadWasm<OpenJpegModule>('@cornerstonejs/codec-openjpeg/decodewasmjs'),
  charls: () => loadWasm<CharlsModule>('@cornerstonejs/codec-charls/decodewasmjs'),
  openJph: () => loadWasm<OpenJphModule>('@cornerstonejs/codec-openjph/wasmjs'),
};

/** The codecs of the Node host: CLI, sidecar and tests. */
export function nodeCodecs(): CodecRegistry {
  return hostCodecs({ jpeg: { samples: decodeWithSharp }, webp: { samples: decodeWithSharp } }, NODE_WASM_LOADERS);
}
