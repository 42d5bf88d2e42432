import { jp2kDecoder, type OpenJpegModule } from './jp2k.js';
import { type Codec, CodecRegistry } from './registry.js';

/** A host's codecs: the shared lossless ones plus the host's JPEG decoder and its way of loading OpenJPEG. */
export function hostCodecs(jpeg: Codec, loadOpenJpeg: () => Promise<OpenJpegModule>): CodecRegistry {
  const jp2k = jp2kDecoder(loadOpenJpeg);
  return new CodecRegistry().register('jpeg', () => jpeg).register('jp2k', () => ({ samples: jp2k }));
}
