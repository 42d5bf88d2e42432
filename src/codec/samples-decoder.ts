import { SlideError } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import { inflate } from './inflate.js';
import { decodeLzw } from './lzw.js';
import { decodePackBits } from './packbits.js';
import { undoHorizontalPredictor } from './rgba.js';
import { decompressZstd } from './zstd.js';
import type { DecodedSamples } from './types.js';

/** Decodes the lossless TIFF codecs whose output is plain interleaved samples. */
export async function decodeSamples(tile: EncodedTile): Promise<DecodedSamples> {
  const { layout, stored } = tile;
  const channels = layout.samplesPerPixel;
  if (layout.bitsPerSample !== 8 || layout.sampleFormat !== 1 || channels < 1 || channels > 4 || (channels === 2 && tile.colour !== 'grey')) {
    throw new SlideError(
      'unsupported_pixels',
      `Tiles with ${channels} samples of ${layout.bitsPerSample} bits (SampleFormat ${layout.sampleFormat}) are not supported; wsi-stream reads 8-bit greyscale, RGB and RGBA.`,
    );
  }
  if (tile.colour === 'ycbcr') {
    throw new SlideError('unsupported_pixels', `Uncompressed or ${tile.codec} YCbCr samples are not supported (only inside JPEG and JPEG 2000 tiles).`);
  }
  const samples = await decompressBlock(tile, stored.width * stored.height * channels);
  const rows = Math.floor(samples.length / (stored.width * channels));
  if (layout.predictor === 2) undoHorizontalPredictor(samples, stored.width, rows, channels);
  else if (layout.predictor !== 1) throw new SlideError('unsupported_pixels', `TIFF Predictor ${layout.predictor} is not supported for 8-bit samples.`);
  return { width: stored.width, height: rows, samples, channels, colour: tile.colour === 'rgba' || channels === 4 ? 'rgba' : tile.colour };
}

/**
 * A lossless tile's bytes decompressed: `expected` bytes, or fewer in whole rows (the last strip of an image legitimately
 * holds fewer), else `corrupt`.
 */
export async function decompressBlock(tile: EncodedTile, expected: number): Promise<Uint8Array> {
  let samples: Uint8Array;
  switch (tile.codec) {
    case 'raw':
      samples = tile.bytes.slice(0, expected);
      break;
    case 'lzw':
      samples = decodeLzw(tile.bytes, expected);
      break;
    case 'deflate':
      samples = await inflate(tile.bytes, expected);
      break;
    case 'packbits':
      samples = decodePackBits(tile.bytes, expected);
      break;
    case 'zstd':
      samples = await decompressZstd(tile.bytes, expected);
      break;
    default:
      throw new SlideError('unsupported_compression', `No sample decoder for ${tile.codec}.`);
  }
  const rowBytes = expected / tile.stored.height;
  if (samples.length < expected && (samples.length % rowBytes !== 0 || samples.length < tile.height * rowBytes)) {
    throw new SlideError('corrupt', `A ${tile.codec} tile decoded to ${samples.length} bytes; ${expected} were expected. The file is damaged.`);
  }
  return samples;
}
