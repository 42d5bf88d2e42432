import { SlideError } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import { decompressBlock } from './samples-decoder.js';
import type { DecodedSamples } from './types.js';

/** One channel of a tile as its stored values (8 or 16 bits), at the tile's true size: what compositing works from. */
export interface SamplePlane {
  width: number;
  height: number;
  bits: 8 | 16;
  values: Uint8Array | Uint16Array;
}

/** The first sample of each pixel of 8-bit decoded samples, cut to the tile's true size. */
export function planeFromSamples(decoded: DecodedSamples, width: number, height: number): SamplePlane {
  if (decoded.width < width || decoded.height < height) {
    throw new SlideError('corrupt', `A tile decoded to ${decoded.width}×${decoded.height} pixels but ${width}×${height} were expected. The file is damaged.`);
  }
  const values = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0, s = y * decoded.width * decoded.channels; x < width; x++, s += decoded.channels) values[y * width + x] = decoded.samples[s]!;
  }
  return { width, height, bits: 8, values };
}

/**
 * A 16-bit greyscale tile of a lossless codec: decompressed, read in the file's byte order, horizontal differencing
 * undone on whole 16-bit samples (TIFF Predictor 2), cut to the tile's true size.
 */
export async function decodePlane16(tile: EncodedTile): Promise<SamplePlane> {
  const { layout, stored } = tile;
  if (layout.samplesPerPixel !== 1 || layout.sampleFormat !== 1 || (layout.predictor !== 1 && layout.predictor !== 2)) {
    throw new SlideError(
      'unsupported_pixels',
      `16-bit tiles with ${layout.samplesPerPixel} samples, SampleFormat ${layout.sampleFormat} and Predictor ${layout.predictor} are not supported; wsi-stream reads unsigned 16-bit greyscale channels.`,
    );
  }
  const bytes = await decompressBlock(tile, stored.width * stored.height * 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = Math.min(tile.height, Math.floor(bytes.length / (stored.width * 2)));
  const values = new Uint16Array(tile.width * tile.height);
  for (let y = 0; y < rows; y++) {
    let previous = 0;
    for (let x = 0; x < stored.width; x++) {
      let value = view.getUint16((y * stored.width + x) * 2, layout.littleEndian);
      if (layout.predictor === 2) value = previous = (value + previous) & 0xffff;
      if (x < tile.width) values[y * tile.width + x] = value;
    }
  }
  return { width: tile.width, height: tile.height, bits: 16, values };
}
