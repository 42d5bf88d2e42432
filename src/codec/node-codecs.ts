import { createRequire } from 'node:module';
import { SlideError } from '../errors.js';
import { loadSharp } from '../optional-dependency.js';
import type { EncodedTile } from '../slide/types.js';
import { hostCodecs } from './host-codecs.js';
import type { OpenJpegModule } from './jp2k.js';
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

async function loadOpenJpeg(): Promise<OpenJpegModule> {
  // The glue is CommonJS and finds its .wasm beside itself in Node.
  const factory = createRequire(import.meta.url)('@cornerstonejs/codec-openjpeg/decodewasmjs') as (o: object) => Promise<OpenJpegModule>;
  return factory({ print: () => undefined, printErr: () => undefined });
}

/** The codecs of the Node host: CLI, sidecar and tests. */
export function nodeCodecs(): CodecRegistry {
  return hostCodecs({ jpeg: { samples: decodeWithSharp }, webp: { samples: decodeWithSharp } }, loadOpenJpeg);
}
