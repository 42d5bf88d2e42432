import { jp2kDecoder, type OpenJpegModule } from './jp2k.js';
import { type Codec, CodecRegistry } from './registry.js';

/** The codecs a host decodes natively (its image libraries); the rest are the same everywhere. */
export interface NativeCodecs {
  jpeg: Codec;
  webp: Codec;
}

/** A host's codecs: the shared lossless ones, the host's native JPEG and WebP decoders, and its way of loading OpenJPEG. */
export function hostCodecs(native: NativeCodecs, loadOpenJpeg: () => Promise<OpenJpegModule>): CodecRegistry {
  const jp2k = jp2kDecoder(loadOpenJpeg);
  return new CodecRegistry()
    .register('jpeg', () => native.jpeg)
    .register('webp', () => native.webp)
    .register('jp2k', () => ({ samples: jp2k }));
}
