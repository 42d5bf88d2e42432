import { DecoderPool, type DecoderPoolOptions } from './pool.js';

/** A pool of the library's own decode workers, resolved relative to this module so it works from a bundle or CDN. */
export function createDecoderPool(options: DecoderPoolOptions = {}): DecoderPool {
  return new DecoderPool(() => new Worker(new URL('../../workers/decode.worker.ts', import.meta.url), { type: 'module', name: 'wsi-stream-decoder' }), options);
}
