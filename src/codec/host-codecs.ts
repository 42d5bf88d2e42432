import { Compression } from '../tiff/tags.js';
import { jp2kDecoder, type OpenJpegModule } from './jp2k.js';
import { CodecRegistry } from './registry.js';
import type { TileDecoder } from './types.js';

/** A host's codecs: the shared lossless ones plus the host's JPEG decoder and its way of loading OpenJPEG. */
export function hostCodecs(decodeJpeg: TileDecoder, loadOpenJpeg: () => Promise<OpenJpegModule>): CodecRegistry {
  const jp2k = jp2kDecoder(loadOpenJpeg);
  return new CodecRegistry()
    .register(Compression.JPEG, () => decodeJpeg)
    .register(Compression.Jp2kYCbCr, () => jp2k)
    .register(Compression.Jp2kRGB, () => jp2k);
}
