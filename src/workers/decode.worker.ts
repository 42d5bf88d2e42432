import { expose, transfer } from 'comlink';
import { browserCodecs, decodeBitmap } from '../codec/browser-codecs.js';
import { pixelSpace } from '../codec/pixels-bitmap.js';
import { withBrowserJpegRoute } from '../colour/browser-jpeg-colour.js';
import type { ColourTransform } from '../colour/colour-transform.js';
import { iccTransform } from '../colour/icc-transform.js';
import { littleCms } from '../colour/slide-colour.js';
import { SlideError } from '../errors.js';
import type { EncodedTile } from '../slide/types.js';
import { PageWasm } from './page-wasm.js';
import type { DecodeOutput, DecodeWorkerApi, WorkerFailure, WorkerResult } from './protocol.js';

const pageWasm = new PageWasm();
const codecs = browserCodecs((codec) => pageWasm.module(codec));
/** One controller per job: `cancel` aborts it, and every stage of the decode looks at its signal. */
const jobs = new Map<number, AbortController>();
/** ICC transforms by the pool's profile id. */
const profiles = new Map<number, Promise<ColourTransform>>();

function failure(e: unknown): WorkerFailure {
  return { error: { code: SlideError.is(e) ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) } };
}

async function run(tile: EncodedTile, output: DecodeOutput, signal: AbortSignal, profile: number | undefined): Promise<WorkerResult> {
  let colour: ColourTransform | undefined;
  if (profile !== undefined) {
    const transform = profiles.get(profile);
    if (!transform) throw new SlideError('invalid_argument', `No ICC profile ${profile} was registered with this worker.`);
    colour = await transform;
  }
  const opts = { signal, ...(colour ? { colour } : {}) };
  if (output === 'bitmap') {
    const bitmap = await decodeBitmap(codecs, tile, opts);
    return transfer({ kind: 'bitmap', bitmap, width: bitmap.width, height: bitmap.height }, [bitmap]);
  }
  if (output === 'plane') {
    const plane = await codecs.decodePlane(tile, opts);
    return transfer({ kind: 'plane', plane }, [plane.values.buffer as ArrayBuffer]);
  }
  const image = { ...(await codecs.decode(tile, opts)), colorSpace: pixelSpace(colour) };
  return transfer({ kind: 'rgba', image }, [image.data.buffer as ArrayBuffer]);
}

const api: DecodeWorkerApi = {
  async decode(id, tile, output, profile): Promise<WorkerResult | WorkerFailure> {
    const controller = new AbortController();
    jobs.set(id, controller);
    try {
      return await run(tile, output, controller.signal, profile);
    } catch (e) {
      return failure(e);
    } finally {
      jobs.delete(id);
    }
  },
  cancel(id) {
    jobs.get(id)?.abort();
  },
  warmCodec(codec) {
    return codecs.warm(codec);
  },
  expectWasm(name) {
    pageWasm.expect(name);
  },
  giveWasm(name, module) {
    pageWasm.give(name, module);
  },
  async warmColour() {
    // A failure to load shows where it matters: in setProfile, with the reason.
    await littleCms(pageWasm.module('littlecms')).catch(() => undefined);
  },
  async setProfile(id, profile, output) {
    let transform = profiles.get(id);
    if (!transform) {
      transform = littleCms(pageWasm.module('littlecms')).then(async ({ lcms, constants }) =>
        withBrowserJpegRoute(await iccTransform(profile, lcms, constants, output), profile),
      );
      profiles.set(id, transform);
    }
    try {
      return { description: (await transform).description };
    } catch (e) {
      profiles.delete(id);
      return failure(e);
    }
  },
};

expose(api);
