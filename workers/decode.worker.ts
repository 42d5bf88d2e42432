import { expose, transfer } from 'comlink';
import { SlideError } from '../src/errors.js';
import type { EncodedTile } from '../src/slide/types.js';
import { Compression } from '../src/tiff/tags.js';
import type { DecodeOutput, DecodeWorkerApi, WorkerFailure, WorkerResult } from '../src/workers/protocol.js';
import { browserCodecs, jpegBitmap } from './browser-codecs.js';

const codecs = browserCodecs();
const cancelled = new Set<number>();

function checkCancelled(id: number): void {
  if (cancelled.delete(id)) throw new SlideError('aborted', 'The tile is no longer wanted.');
}

async function run(id: number, tile: EncodedTile, output: DecodeOutput): Promise<WorkerResult> {
  checkCancelled(id);
  // Full JPEG tiles go straight to an ImageBitmap: no pixel copy at all. Edge tiles are cropped on the way.
  if (output === 'bitmap' && tile.compression === Compression.JPEG && !tile.missing) {
    const full = await jpegBitmap(tile);
    checkCancelled(id);
    if (full.width === tile.width && full.height === tile.height)
      return transfer({ kind: 'bitmap', bitmap: full, width: tile.width, height: tile.height }, [full]);
    const cropped = await createImageBitmap(full, 0, 0, tile.width, tile.height);
    full.close();
    return transfer({ kind: 'bitmap', bitmap: cropped, width: tile.width, height: tile.height }, [cropped]);
  }
  const image = await codecs.decode(tile);
  checkCancelled(id);
  if (output === 'bitmap') {
    const bitmap = await createImageBitmap(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height));
    return transfer({ kind: 'bitmap', bitmap, width: image.width, height: image.height }, [bitmap]);
  }
  return transfer({ kind: 'rgba', image }, [image.data.buffer as ArrayBuffer]);
}

const api: DecodeWorkerApi = {
  async decode(id, tile, output): Promise<WorkerResult | WorkerFailure> {
    try {
      return await run(id, tile, output);
    } catch (e) {
      return { error: { code: SlideError.is(e) ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) } };
    } finally {
      cancelled.delete(id);
    }
  },
  cancel(id) {
    cancelled.add(id);
  },
};

expose(api);
