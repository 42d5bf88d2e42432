import { expose, transfer } from 'comlink';
import { browserCodecs, decodeBitmap } from '../codec/browser-codecs.js';
import { SlideError } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import type { DecodeOutput, DecodeWorkerApi, WorkerFailure, WorkerResult } from './protocol.js';

const codecs = browserCodecs();
/** One controller per job: `cancel` aborts it, and every stage of the decode looks at its signal. */
const jobs = new Map<number, AbortController>();

async function run(tile: EncodedTile, output: DecodeOutput, signal: AbortSignal): Promise<WorkerResult> {
  if (output === 'bitmap') {
    const bitmap = await decodeBitmap(codecs, tile, { signal });
    return transfer({ kind: 'bitmap', bitmap, width: bitmap.width, height: bitmap.height }, [bitmap]);
  }
  const image = await codecs.decode(tile, { signal });
  return transfer({ kind: 'rgba', image }, [image.data.buffer as ArrayBuffer]);
}

const api: DecodeWorkerApi = {
  async decode(id, tile, output): Promise<WorkerResult | WorkerFailure> {
    const controller = new AbortController();
    jobs.set(id, controller);
    try {
      return await run(tile, output, controller.signal);
    } catch (e) {
      return { error: { code: SlideError.is(e) ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) } };
    } finally {
      jobs.delete(id);
    }
  },
  cancel(id) {
    jobs.get(id)?.abort();
  },
};

expose(api);
